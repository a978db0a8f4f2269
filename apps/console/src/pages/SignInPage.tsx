import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session.js';
import type { Session } from '../session.js';

export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (session: Session) => void;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter your API key or the admin key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(trimmed));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'Sign-in failed.');
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={(event) => void submit(event)} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ⇄
          </span>
          <span className="brand-name">Switchyard</span>
        </div>
        <h1>Sign in to Switchyard</h1>
        <p className="muted">
          Use your API key to see your usage, keys and monitoring, or the admin key for the operator pages.
          The key stays in this tab only and is forgotten when you sign out or close it.
        </p>
        {notice && (
          <p className="signin-notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="signin-key">API key or admin key</label>
        <input
          id="signin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          placeholder="sy-…"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
          autoFocus
        />
        {error && (
          <p id="signin-error" className="action-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
