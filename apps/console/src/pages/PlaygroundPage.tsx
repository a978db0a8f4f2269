import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { streamChat, type ChatMessage, type GatewayHeaders } from '../api/chat.js';
import { useModels } from '../api/keys.js';
import { Card, PageHeader } from '../components/Card.js';
import { SelectField } from '../components/SelectField.js';
import { ActionError } from '../components/states.js';
import { formatTokens } from '../format.js';

interface Turn extends ChatMessage {
  /** Who answered (assistant turns): the final chunk's contributors, else the `x-gateway-provider` header. */
  answeredBy?: string;
}

function HeaderTable({ headers }: { headers: GatewayHeaders }) {
  const entries = Object.entries(headers).sort(([left], [right]) => left.localeCompare(right));
  return (
    <dl className="facts headers" aria-label="Response headers">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt className="mono">{name}</dt>
          <dd className="mono break">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PlaygroundPage() {
  const models = useModels();
  const [model, setModel] = useState('auto');
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [headers, setHeaders] = useState<GatewayHeaders | null>(null);
  const [usage, setUsage] = useState<{ prompt_tokens: number; completion_tokens: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [streaming, setStreaming] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const send = async () => {
    const content = draft.trim();
    if (!content || streaming) return;
    const history: Turn[] = [...turns, { role: 'user', content }];
    setTurns([...history, { role: 'assistant', content: '' }]);
    setDraft('');
    setError(null);
    setHeaders(null);
    setUsage(null);
    setStreaming(true);
    const controller = new AbortController();
    abort.current = controller;
    const updateAnswer = (change: (turn: Turn) => Turn) =>
      setTurns((current) => [...current.slice(0, -1), change(current.at(-1)!)]);
    try {
      const answer = await streamChat({
        model,
        messages: history.map(({ role, content: text }) => ({ role, content: text })),
        signal: controller.signal,
        onHeaders: (received) => {
          setHeaders(received);
          updateAnswer((turn) => ({ ...turn, answeredBy: received['x-gateway-provider'] }));
        },
        onText: (text) => updateAnswer((turn) => ({ ...turn, content: turn.content + text })),
      });
      setUsage(answer.usage);
      if (answer.contributors.length > 0)
        updateAnswer((turn) => ({ ...turn, answeredBy: answer.contributors.join(' → ') }));
    } catch (failure) {
      if (!controller.signal.aborted) setError(failure);
      // Drop an answer that never started, so the history holds only real turns.
      setTurns((current) => (current.at(-1)?.content === '' ? current.slice(0, -1) : current));
    } finally {
      setStreaming(false);
      abort.current = null;
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const sendOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <>
      <PageHeader title="Playground">
        Chat through the gateway, streamed over <code>/v1/chat/completions</code>, and see who answered.
      </PageHeader>
      <div className="playground">
        <Card title="Chat" className="chat-card">
          <div className="chat-log" aria-live="polite" aria-label="Conversation">
            {turns.length === 0 && <p className="state state-empty">Ask something to start.</p>}
            {turns.map((turn, index) => (
              <div key={index} className={`bubble bubble-${turn.role}`}>
                <span className="bubble-who">
                  {turn.role === 'user' ? 'You' : `Answered by ${turn.answeredBy ?? '…'}`}
                </span>
                <div className="bubble-text">
                  {turn.content || (streaming && index === turns.length - 1 ? '…' : '')}
                </div>
              </div>
            ))}
          </div>
          <ActionError error={error} />
          <form className="chat-form" onSubmit={submit}>
            <SelectField
              label="Model"
              className="chat-model"
              value={model}
              onChange={(event) => setModel(event.target.value)}
            >
              <option value="auto">auto (your default)</option>
              {(models.data ?? []).map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.id}
                </option>
              ))}
            </SelectField>
            <label className="chat-input">
              Message
              <textarea
                rows={3}
                value={draft}
                onChange={(event) => setDraft(event.target.value)}
                onKeyDown={sendOnEnter}
                placeholder="Say hello (Enter sends, Shift+Enter adds a line)"
              />
            </label>
            <div className="button-row">
              <button type="submit" className="button-primary" disabled={streaming || !draft.trim()}>
                Send
              </button>
              {streaming && (
                <button type="button" className="button-secondary" onClick={() => abort.current?.abort()}>
                  Stop
                </button>
              )}
              {turns.length > 0 && !streaming && (
                <button type="button" className="button-secondary" onClick={() => setTurns([])}>
                  Clear
                </button>
              )}
            </div>
          </form>
        </Card>
        <Card title="Gateway headers" className="headers-card">
          {headers ? (
            <>
              <p className="answered-by">
                Provider: <strong>{headers['x-gateway-provider'] ?? 'unknown'}</strong>
              </p>
              <HeaderTable headers={headers} />
              {usage && (
                <p className="small muted">
                  {formatTokens(usage.prompt_tokens)} in · {formatTokens(usage.completion_tokens)} out
                </p>
              )}
            </>
          ) : (
            <p className="state state-empty">The headers of the last answer show here.</p>
          )}
        </Card>
      </div>
    </>
  );
}
