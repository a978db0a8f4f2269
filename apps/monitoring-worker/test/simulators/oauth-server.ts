import { createHash, randomBytes } from 'node:crypto';
import { readBody, sendJson, startLocalServer, type LocalServer } from './http-server.js';

/** An authorization server speaking RFC 6749 (code + refresh grants, client_secret_post), RFC 7636 and RFC 7009. */
export interface OAuthSimulator extends LocalServer {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** Refresh tokens the endpoint accepts; anything else is `invalid_grant`. */
  validRefreshTokens: Set<string>;
  /** When set, each refresh also returns this new refresh token (Microsoft rotates them). */
  rotateTo: string | undefined;
  /**
   * Microsoft-style rotation: each refresh returns a new refresh token and the one presented stops working, so of
   * two concurrent refreshes with the same token only one succeeds.
   */
  rotateRefreshTokens: boolean;
  /** Redirect URIs registered for the client; the authorize endpoint refuses any other. */
  redirectUris: Set<string>;
  /** Access tokens issued so far, in order. */
  issued: string[];
  /** Tokens revoked through the revocation endpoint. */
  revoked: string[];
  requests: Array<Record<string, string>>;
}

interface PendingCode {
  redirectUri: string;
  codeChallenge: string;
  scope: string;
}

const clientId = 'client-id';
const clientSecret = 'client-secret';

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const token = (kind: string) => `${kind}-${randomBytes(12).toString('base64url')}`;

/** Starts an authorization server for client `client-id` / `client-secret`. */
export async function startOAuthSimulator(): Promise<OAuthSimulator> {
  const state: Pick<
    OAuthSimulator,
    | 'validRefreshTokens'
    | 'rotateTo'
    | 'rotateRefreshTokens'
    | 'redirectUris'
    | 'issued'
    | 'revoked'
    | 'requests'
  > = {
    validRefreshTokens: new Set<string>(),
    rotateTo: undefined,
    rotateRefreshTokens: false,
    redirectUris: new Set<string>(),
    issued: [],
    revoked: [],
    requests: [],
  };
  const codes = new Map<string, PendingCode>();

  const issueAccess = () => {
    const accessToken = `access-${state.issued.length + 1}-${randomBytes(6).toString('base64url')}`;
    state.issued.push(accessToken);
    return accessToken;
  };

  const server = await startLocalServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    if (request.method === 'GET' && url.pathname === '/authorize') {
      // The user "consents" at once: the browser is redirected back with a code, as after a real consent screen.
      const query = Object.fromEntries(url.searchParams);
      if (query.client_id !== clientId) return sendJson(response, 400, { error: 'invalid_client' });
      if (query.redirect_uri === undefined || !state.redirectUris.has(query.redirect_uri))
        return sendJson(response, 400, { error: 'redirect_uri_mismatch' });
      if (query.response_type !== 'code')
        return sendJson(response, 400, { error: 'unsupported_response_type' });
      if (query.code_challenge_method !== 'S256' || !query.code_challenge)
        return sendJson(response, 400, { error: 'invalid_request', error_description: 'PKCE S256 required' });
      const code = token('code');
      codes.set(code, {
        redirectUri: query.redirect_uri,
        codeChallenge: query.code_challenge,
        scope: query.scope ?? '',
      });
      const back = new URL(query.redirect_uri);
      back.searchParams.set('code', code);
      if (query.state !== undefined) back.searchParams.set('state', query.state);
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (request.method !== 'POST') return sendJson(response, 404, { error: 'not_found' });
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    state.requests.push(form);
    if (form.client_id !== clientId || form.client_secret !== clientSecret)
      return sendJson(response, 401, { error: 'invalid_client' });

    if (url.pathname === '/revoke') {
      if (form.token !== undefined) {
        state.revoked.push(form.token);
        state.validRefreshTokens.delete(form.token);
      }
      response.writeHead(200).end();
      return;
    }
    if (url.pathname !== '/token') return sendJson(response, 404, { error: 'not_found' });

    if (form.grant_type === 'authorization_code') {
      const pending = form.code === undefined ? undefined : codes.get(form.code);
      // A code is single use: taken out whether or not the rest checks out (RFC 6749 section 4.1.2).
      if (form.code !== undefined) codes.delete(form.code);
      if (pending === undefined)
        return sendJson(response, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
      if (form.redirect_uri !== pending.redirectUri)
        return sendJson(response, 400, {
          error: 'invalid_grant',
          error_description: 'redirect_uri mismatch',
        });
      if (form.code_verifier === undefined || s256(form.code_verifier) !== pending.codeChallenge)
        return sendJson(response, 400, {
          error: 'invalid_grant',
          error_description: 'code_verifier mismatch',
        });
      const refreshToken = token('refresh');
      state.validRefreshTokens.add(refreshToken);
      return sendJson(response, 200, {
        access_token: issueAccess(),
        refresh_token: refreshToken,
        expires_in: 3_599,
        token_type: 'Bearer',
        scope: pending.scope,
      });
    }
    if (form.grant_type !== 'refresh_token')
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    if (form.refresh_token === undefined || !state.validRefreshTokens.has(form.refresh_token)) {
      return sendJson(response, 400, {
        error: 'invalid_grant',
        error_description: 'Token has been expired or revoked.',
      });
    }
    let rotated = state.rotateTo;
    if (state.rotateRefreshTokens) {
      state.validRefreshTokens.delete(form.refresh_token);
      rotated = token('refresh');
      state.validRefreshTokens.add(rotated);
    }
    sendJson(response, 200, {
      access_token: issueAccess(),
      expires_in: 3_599,
      token_type: 'Bearer',
      scope: 'https://www.googleapis.com/auth/webmasters.readonly',
      ...(rotated === undefined ? {} : { refresh_token: rotated }),
    });
  });
  // The handler reads `state`; returning the same object lets tests change `rotateTo` and the token sets.
  return Object.assign(state, server, {
    authorizeUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    revokeUrl: `${server.url}/revoke`,
  });
}
