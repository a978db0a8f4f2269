import * as oauth from 'oauth4webapi';
import { TaskFailureError } from '../failures.js';

/** A platform's OAuth client: its token endpoint and our registered client. */
export interface OAuthClientSettings {
  tokenUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/** Tokens returned by a refresh; `refreshToken` is set only when the platform rotated it. */
export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date | undefined;
  scope: string | undefined;
}

/**
 * Runs the RFC 6749 refresh_token grant (section 6) at the platform's token endpoint with client_secret_post.
 * Throws oauth4webapi's `ResponseBodyError` for OAuth error bodies (`invalid_grant` = the user must reconnect).
 */
export async function refreshAccessToken(
  settings: OAuthClientSettings,
  refreshToken: string,
  signal: AbortSignal,
): Promise<RefreshedTokens> {
  if (settings.clientId === undefined || settings.clientSecret === undefined) {
    throw new TaskFailureError(
      'the OAuth client id or secret for this platform is not configured',
      'config_error',
    );
  }
  const tokenUrl = new URL(settings.tokenUrl);
  const authorizationServer: oauth.AuthorizationServer = {
    issuer: tokenUrl.origin,
    token_endpoint: tokenUrl.href,
  };
  const client: oauth.Client = { client_id: settings.clientId };
  const options = {
    signal,
    // Local token endpoints (development, tests) speak plain http; production endpoints are https.
    [oauth.allowInsecureRequests]: tokenUrl.protocol === 'http:',
  };
  const response = await oauth.refreshTokenGrantRequest(
    authorizationServer,
    client,
    oauth.ClientSecretPost(settings.clientSecret),
    refreshToken,
    options,
  );
  const result = await oauth.processRefreshTokenResponse(authorizationServer, client, response);
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token,
    expiresAt: result.expires_in === undefined ? undefined : new Date(Date.now() + result.expires_in * 1_000),
    scope: result.scope,
  };
}
