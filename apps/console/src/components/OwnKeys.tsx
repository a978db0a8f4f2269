import { useState, type FormEvent } from 'react';
import {
  ownKeyProviders,
  useDeleteAgent,
  useSaveAgent,
  useTestAgent,
  type Agent,
  type AgentTestResult,
} from '../api/keys.js';
import { formatMs } from '../format.js';
import { Badge } from './Card.js';
import { SelectField } from './SelectField.js';
import { ActionError } from './states.js';

function TestOutcome({ result }: { result: AgentTestResult }) {
  return result.ok ? (
    <Badge tone="good">Works · {formatMs(result.latencyMs)}</Badge>
  ) : (
    <span className="test-failed">
      <Badge tone="bad">Failed</Badge> {result.error?.message ?? 'The provider refused the key.'}
    </span>
  );
}

function KeyRow({ agent }: { agent: Agent }) {
  const test = useTestAgent();
  const remove = useDeleteAgent();
  return (
    <tr>
      <td>{agent.displayName ?? agent.provider}</td>
      <td>{agent.model ?? <span className="muted">provider default</span>}</td>
      <td className="mono">{agent.apiKeyHint ? `…${agent.apiKeyHint}` : '–'}</td>
      <td>
        {test.data ? <TestOutcome result={test.data} /> : <span className="muted">not tested</span>}
        <ActionError error={test.error ?? remove.error} />
      </td>
      <td className="actions">
        <button
          type="button"
          className="button-secondary button-small"
          disabled={test.isPending}
          onClick={() => test.mutate(agent.id)}
        >
          {test.isPending ? 'Testing…' : 'Test'}
        </button>
        <button
          type="button"
          className="button-danger button-small"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Remove your ${agent.provider} key?`)) remove.mutate(agent.id);
          }}
        >
          Remove
        </button>
      </td>
    </tr>
  );
}

export function OwnKeysTable({ agents }: { agents: Agent[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Model</th>
            <th scope="col">Key</th>
            <th scope="col">Test</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <KeyRow key={agent.id} agent={agent} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AddKeyForm() {
  const save = useSaveAgent();
  const [provider, setProvider] = useState(ownKeyProviders[0]!);
  const [apiKey, setApiKey] = useState('');
  const [model, setModel] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const needsBaseUrl = provider === 'openai-compatible';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      {
        provider,
        apiKey: apiKey.trim(),
        model: model.trim() || undefined,
        baseUrl: needsBaseUrl ? baseUrl.trim() || undefined : undefined,
      },
      { onSuccess: () => setApiKey('') },
    );
  };

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a provider key">
      <h3>Add a provider key</h3>
      <div className="form-row">
        <SelectField label="Provider" value={provider} onChange={(event) => setProvider(event.target.value)}>
          {ownKeyProviders.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </SelectField>
        <label>
          Provider API key
          <input
            type="password"
            autoComplete="off"
            required
            minLength={8}
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
          />
        </label>
        <label>
          Model (optional)
          <input value={model} onChange={(event) => setModel(event.target.value)} placeholder="gpt-4o-mini" />
        </label>
        {needsBaseUrl && (
          <label>
            Base URL
            <input
              type="url"
              required
              value={baseUrl}
              onChange={(event) => setBaseUrl(event.target.value)}
              placeholder="https://api.example.com/v1"
            />
          </label>
        )}
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Add key'}
        </button>
      </div>
      <p className="muted small">Stored encrypted; only its last four characters are ever shown again.</p>
      <ActionError error={save.error} />
    </form>
  );
}
