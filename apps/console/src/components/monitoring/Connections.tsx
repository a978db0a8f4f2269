import { useState, type FormEvent } from 'react';
import {
  useAuthorizeConnection,
  useConnectWordPress,
  useDisconnect,
  type Connection,
} from '../../api/monitoring.js';
import { formatDateTime } from '../../format.js';
import { Badge } from '../Card.js';
import { ActionError } from '../states.js';

export const platformNames: Record<Connection['platform'], string> = {
  gsc: 'Google Search Console',
  bing: 'Bing Webmaster Tools',
  wordpress: 'WordPress',
  wix: 'Wix',
};

const statusTone = { active: 'good', expired: 'warn', revoked: 'neutral', error: 'bad' } as const;

export function ConnectionTable({ connections }: { connections: Connection[] }) {
  const disconnect = useDisconnect();
  return (
    <>
      <ActionError error={disconnect.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Platform</th>
              <th scope="col">Account</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <tr key={connection.id}>
                <td>{platformNames[connection.platform]}</td>
                <td>{connection.account ?? connection.siteUrl ?? '–'}</td>
                <td>
                  <Badge tone={statusTone[connection.status]}>{connection.status}</Badge>
                </td>
                <td className="nowrap">
                  {connection.expiresAt ? formatDateTime(connection.expiresAt) : 'does not expire'}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="button-danger button-small"
                    disabled={disconnect.isPending}
                    onClick={() => {
                      if (window.confirm(`Disconnect ${platformNames[connection.platform]}?`))
                        disconnect.mutate(connection.id);
                    }}
                  >
                    Disconnect
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function WordPressForm({ onDone }: { onDone: () => void }) {
  const connect = useConnectWordPress();
  const [siteUrl, setSiteUrl] = useState('');
  const [username, setUsername] = useState('');
  const [applicationPassword, setApplicationPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect.mutate(
      { siteUrl: siteUrl.trim(), username: username.trim(), applicationPassword },
      { onSuccess: onDone },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Connect WordPress">
      <div className="form-row">
        <label>
          Site URL
          <input type="url" required value={siteUrl} onChange={(event) => setSiteUrl(event.target.value)} />
        </label>
        <label>
          Username
          <input required value={username} onChange={(event) => setUsername(event.target.value)} />
        </label>
        <label>
          Application password
          <input
            type="password"
            autoComplete="off"
            required
            value={applicationPassword}
            onChange={(event) => setApplicationPassword(event.target.value)}
          />
        </label>
        <button type="submit" className="button-primary" disabled={connect.isPending}>
          {connect.isPending ? 'Connecting…' : 'Connect WordPress'}
        </button>
      </div>
      <ActionError error={connect.error} />
    </form>
  );
}

/** Buttons to connect each platform: OAuth ones leave for the platform's consent page, WordPress takes a form. */
export function ConnectButtons() {
  const authorize = useAuthorizeConnection();
  const [wordPressOpen, setWordPressOpen] = useState(false);
  return (
    <div className="connect">
      <div className="button-row">
        {(['gsc', 'bing', 'wix'] as const).map((platform) => (
          <button
            key={platform}
            type="button"
            className="button-secondary"
            disabled={authorize.isPending}
            onClick={() => authorize.mutate(platform)}
          >
            Connect {platformNames[platform]}
          </button>
        ))}
        <button
          type="button"
          className="button-secondary"
          aria-expanded={wordPressOpen}
          onClick={() => setWordPressOpen((open) => !open)}
        >
          Connect WordPress
        </button>
      </div>
      <ActionError error={authorize.error} />
      {wordPressOpen && <WordPressForm onDone={() => setWordPressOpen(false)} />}
    </div>
  );
}
