import { sendJson, startLocalServer, type LocalServer } from './http-server.js';

/** A WordPress site's REST API: `GET /wp-json/wp/v2/users/me` with Basic auth (application passwords). */
export interface WordPressSimulator extends LocalServer {
  /** `username` -> application password the site accepts. */
  passwords: Map<string, string>;
  requests: Array<{ path: string; authorization: string | undefined }>;
}

/** Starts a WordPress REST API that answers like WordPress 6 (401 `rest_not_logged_in` / `incorrect_password`). */
export async function startWordPressSimulator(): Promise<WordPressSimulator> {
  const passwords = new Map<string, string>();
  const requests: WordPressSimulator['requests'] = [];
  const server = await startLocalServer((request, response) => {
    const path = request.url ?? '';
    requests.push({ path, authorization: request.headers.authorization });
    if (request.method !== 'GET' || !path.startsWith('/wp-json/wp/v2/users/me'))
      return sendJson(response, 404, {
        code: 'rest_no_route',
        message: 'No route was found.',
        data: { status: 404 },
      });
    const basic = request.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    if (basic === undefined)
      return sendJson(response, 401, {
        code: 'rest_not_logged_in',
        message: 'You are not currently logged in.',
        data: { status: 401 },
      });
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const username = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    // WordPress shows application passwords in groups of four; spaces are ignored when checking.
    if (passwords.get(username)?.replaceAll(' ', '') !== password.replaceAll(' ', ''))
      return sendJson(response, 401, {
        code: 'incorrect_password',
        message: 'The provided password is an invalid application password.',
        data: { status: 401 },
      });
    return sendJson(response, 200, { id: 7, name: username, slug: username, url: '', description: '' });
  });
  return Object.assign(server, { passwords, requests });
}
