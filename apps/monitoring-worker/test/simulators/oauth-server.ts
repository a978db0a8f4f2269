import { readBody, sendJson, startLocalServer, type LocalServer } from './http-server.js';

/** A token endpoint speaking the RFC 6749 refresh_token grant with client_secret_post. */
export interface OAuthSimulator extends LocalServer {
  tokenUrl: string;
  /** Refresh tokens the endpoint accepts; anything else is `invalid_grant`. */
  validRefreshTokens: Set<string>;
  /** When set, each refresh also returns this new refresh token (Microsoft rotates them). */
  rotateTo: string | undefined;
  /** Access tokens issued so far, in order. */
  issued: string[];
  requests: Array<Record<string, string>>;
}

/** Starts a token endpoint for client `client-id` / `client-secret`. */
export async function startOAuthSimulator(): Promise<OAuthSimulator> {
  const state: Pick<OAuthSimulator, 'validRefreshTokens' | 'rotateTo' | 'issued' | 'requests'> = {
    validRefreshTokens: new Set<string>(),
    rotateTo: undefined,
    issued: [],
    requests: [],
  };
  const server = await startLocalServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/token')
      return sendJson(response, 404, { error: 'not_found' });
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    state.requests.push(form);
    if (form.client_id !== 'client-id' || form.client_secret !== 'client-secret')
      return sendJson(response, 401, { error: 'invalid_client' });
    if (form.grant_type !== 'refresh_token')
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    if (form.refresh_token === undefined || !state.validRefreshTokens.has(form.refresh_token)) {
      return sendJson(response, 400, {
        error: 'invalid_grant',
        error_description: 'Token has been expired or revoked.',
      });
    }
    const accessToken = `access-${state.issued.length + 1}-${Math.random().toString(36).slice(2)}`;
    state.issued.push(accessToken);
    sendJson(response, 200, {
      access_token: accessToken,
      expires_in: 3_599,
      token_type: 'Bearer',
      scope: 'https://www.googleapis.com/auth/webmasters.readonly',
      ...(state.rotateTo === undefined ? {} : { refresh_token: state.rotateTo }),
    });
  });
  // The handler reads `state`; returning the same object lets tests change `rotateTo` and the token sets.
  return Object.assign(state, server, { tokenUrl: `${server.url}/token` });
}
