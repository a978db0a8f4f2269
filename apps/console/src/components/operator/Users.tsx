import { Fragment, useState, type FormEvent } from 'react';
import {
  useAssignPlan,
  useCreateUser,
  useIssueKey,
  useRevokeKey,
  type AdminUser,
  type Plan,
} from '../../api/operator.js';
import { formatDateTime } from '../../format.js';
import { Badge } from '../Card.js';
import { ActionError } from '../states.js';

/** A freshly issued key, shown this once: the gateway keeps only its hash. */
function IssuedKey({ email, secret, onClose }: { email: string; secret: string; onClose: () => void }) {
  return (
    <div className="notice" role="status">
      <p>
        New API key for <strong>{email}</strong>. Copy it now: it is not shown again.
      </p>
      <code className="secret">{secret}</code>
      <div className="button-row">
        <button
          type="button"
          className="button-secondary button-small"
          onClick={() => void navigator.clipboard?.writeText(secret)}
        >
          Copy
        </button>
        <button type="button" className="button-secondary button-small" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}

function UserKeys({ user }: { user: AdminUser }) {
  const revoke = useRevokeKey();
  const active = user.apiKeys.filter((key) => !key.revokedAt);
  if (active.length === 0) return <span className="muted">no active key</span>;
  return (
    <ul className="key-list">
      {active.map((key) => (
        <li key={key.id}>
          <span className="mono">{key.prefix}…</span> <span className="muted small">{key.name}</span>
          <span className="muted small">
            {' '}
            · used {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'never'}
          </span>
          <button
            type="button"
            className="button-link danger"
            disabled={revoke.isPending}
            aria-label={`Revoke key ${key.prefix} of ${user.email}`}
            onClick={() => {
              if (window.confirm(`Revoke key ${key.prefix}… of ${user.email}?`)) revoke.mutate(key.id);
            }}
          >
            Revoke
          </button>
        </li>
      ))}
      <ActionError error={revoke.error} />
    </ul>
  );
}

function UserRow({ user, plans }: { user: AdminUser; plans: Plan[] }) {
  const assign = useAssignPlan();
  const issue = useIssueKey();
  const [issued, setIssued] = useState<string | null>(null);
  const current = user.plan?.name ?? '';
  // Only active plans can be assigned; a user's own (perhaps since deactivated) plan still shows as theirs.
  const offered = plans.filter((plan) => plan.active);
  return (
    <Fragment>
      <tr>
        <td>
          <div>{user.email}</div>
          <div className="small muted">
            {user.name ?? ''} {user.role === 'admin' && <Badge tone="neutral">admin</Badge>}
          </div>
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`plan-${user.id}`}>
            Plan of {user.email}
          </label>
          <select
            id={`plan-${user.id}`}
            value={current}
            disabled={assign.isPending}
            onChange={(event) => assign.mutate({ userId: user.id, plan: event.target.value })}
          >
            {!current && <option value="">Free (no plan)</option>}
            {current && !offered.some((plan) => plan.name === current) && (
              <option value={current}>{current}</option>
            )}
            {offered.map((plan) => (
              <option key={plan.id} value={plan.name}>
                {plan.name}
              </option>
            ))}
          </select>
          <ActionError error={assign.error} />
        </td>
        <td>
          <UserKeys user={user} />
        </td>
        <td className="nowrap">{formatDateTime(user.createdAt)}</td>
        <td className="actions">
          <button
            type="button"
            className="button-secondary button-small"
            disabled={issue.isPending}
            onClick={() => issue.mutate({ userId: user.id }, { onSuccess: (key) => setIssued(key.key) })}
          >
            Issue key
          </button>
          <ActionError error={issue.error} />
        </td>
      </tr>
      {issued && (
        <tr className="details-row">
          <td colSpan={5}>
            <IssuedKey email={user.email} secret={issued} onClose={() => setIssued(null)} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function UsersTable({ users, plans }: { users: AdminUser[]; plans: Plan[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Plan</th>
            <th scope="col">API keys</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <UserRow key={user.id} user={user} plans={plans} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CreateUserForm() {
  const create = useCreateUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), name: name.trim() || undefined },
      {
        onSuccess: () => {
          setEmail('');
          setName('');
        },
      },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create a user">
      <h3>Create a user</h3>
      <div className="form-row">
        <label>
          Email
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Name (optional)
          <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create user'}
        </button>
      </div>
      <ActionError error={create.error} />
    </form>
  );
}
