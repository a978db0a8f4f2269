/** The signed-in key lives only in this tab's session storage: closing the tab or signing out forgets it. */

export type Role = 'user' | 'operator';
export interface Session {
  key: string;
  role: Role;
  /** The user's email (user keys) or `Operator`. */
  label: string;
}

const storageKey = 'switchyard.console.session';

export function readSession(): Session | null {
  const raw = sessionStorage.getItem(storageKey);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.key !== 'string' || (parsed.role !== 'user' && parsed.role !== 'operator')) return null;
    return { key: parsed.key, role: parsed.role, label: parsed.label ?? '' };
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(storageKey, JSON.stringify(session));
}

export function forgetSession(): void {
  sessionStorage.removeItem(storageKey);
}
