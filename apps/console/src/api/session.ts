import { api } from './client.js';
import type { Session } from '../session.js';

interface Me {
  user: { id: string; email: string; name: string | null; role: string; status: string; createdAt: string };
  apiKey: { id: string };
}

/**
 * Checks a key and learns its role. For the admin key the gateway also sets the signed cookie that opens
 * /admin/queues (an iframe or a new tab cannot send a bearer header).
 */
export async function signIn(key: string): Promise<Session> {
  const { role } = await api<{ role: 'user' | 'operator' }>('/api/console/session', {
    method: 'POST',
    body: { key },
  });
  if (role === 'operator') return { key, role, label: 'Operator' };
  const me = await api<Me>('/api/users/me', { key });
  return { key, role, label: me.user.email };
}

/** Clears the queue-dashboard cookie; the key itself is forgotten by the caller. */
export async function signOut(): Promise<void> {
  await api<void>('/api/console/session', { method: 'DELETE' }).catch(() => undefined);
}
