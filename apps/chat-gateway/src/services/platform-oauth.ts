import type { OAuthPlatformSettings } from '@switchyard/config';
import * as oauth from 'oauth4webapi';

/** Platforms connected through an OAuth authorization-code flow. */
export const oauthFlowPlatforms = ['gsc', 'bing', 'wix'] as const;
/** One of `oauthFlowPlatforms`. */
export type OAuthFlowPlatform = (typeof oauthFlowPlatforms)[number];

/** Tokens of a finished code exchange. */
export interface ExchangedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date | undefined;
  scope: string | undefined;
}

/** A platform refused the code exchange (bad code, verifier, client); the message is safe to show the user. */
export class CodeExchangeError extends Error {
  constructor(
    message: string,
    readonly oauthError: string | undefined,
  ) {
    super(message);
    this.name = 'CodeExchangeError';
  }
}

/** The settings of a platform whose OAuth app is configured (client id and secret set). */
type ConfiguredSettings = OAuthPlatformSettings & { clientId: string; clientSecret: string };

/** Whether a platform's OAuth app is configured; an unconfigured platform cannot be connected. */
export function isConfigured(settings: OAuthPlatformSettings): settings is ConfiguredSettings {
  return settings.clientId !== undefined && settings.clientSecret !== undefined;
}

function server(settings: OAuthPlatformSettings): oauth.AuthorizationServer {
  return {
    issuer: new URL(settings.tokenUrl).origin,
    authorization_endpoint: settings.authorizeUrl,
    token_endpoint: settings.tokenUrl,
    ...(settings.revokeUrl === undefined ? {} : { revocation_endpoint: settings.revokeUrl }),
  };
}

// Local endpoints (development, tests) speak plain http; production endpoints are https.
const requestOptions = (url: string, signal: AbortSignal) => ({
  signal,
  [oauth.allowInsecureRequests]: new URL(url).protocol === 'http:',
});

/** A new PKCE verifier and its S256 challenge (RFC 7636). */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/**
 * The URL the user's browser opens to grant access. `access_type=offline` and `prompt=consent` make Google issue a
 * refresh token on every consent (without them a second connect returns none); other platforms ignore them.
 */
export function authorizationUrl(
  settings: ConfiguredSettings,
  parameters: { redirectUri: string; state: string; codeChallenge: string },
): string {
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', parameters.redirectUri);
  url.searchParams.set('scope', settings.scopes);
  url.searchParams.set('state', parameters.state);
  url.searchParams.set('code_challenge', parameters.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  return url.href;
}

/** Runs the authorization_code grant with the PKCE verifier (client_secret_post) and returns the tokens. */
export async function exchangeCode(
  settings: ConfiguredSettings,
  parameters: { code: string; state: string; redirectUri: string; codeVerifier: string },
  signal: AbortSignal,
): Promise<ExchangedTokens> {
  const authorizationServer = server(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  try {
    const callback = oauth.validateAuthResponse(
      authorizationServer,
      client,
      new URLSearchParams({ code: parameters.code, state: parameters.state }),
      parameters.state,
    );
    const response = await oauth.authorizationCodeGrantRequest(
      authorizationServer,
      client,
      oauth.ClientSecretPost(settings.clientSecret),
      callback,
      parameters.redirectUri,
      parameters.codeVerifier,
      requestOptions(settings.tokenUrl, signal),
    );
    const result = await oauth.processAuthorizationCodeResponse(authorizationServer, client, response);
    return {
      accessToken: result.access_token,
      refreshToken: result.refresh_token,
      expiresAt:
        result.expires_in === undefined ? undefined : new Date(Date.now() + result.expires_in * 1_000),
      scope: result.scope,
    };
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError)
      throw new CodeExchangeError(
        `The platform refused the authorization code (${error.error}); start the connection again.`,
        error.error,
      );
    throw error;
  }
}

/**
 * Revokes a token at the platform's RFC 7009 endpoint. Returns false when the platform has none. A platform that
 * answers an error is reported by a throw; the caller decides whether removal goes on.
 */
export async function revokeToken(
  settings: OAuthPlatformSettings,
  token: string,
  signal: AbortSignal,
): Promise<boolean> {
  if (settings.revokeUrl === undefined || !isConfigured(settings)) return false;
  const authorizationServer = server(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const response = await oauth.revocationRequest(
    authorizationServer,
    client,
    oauth.ClientSecretPost(settings.clientSecret),
    token,
    requestOptions(settings.revokeUrl, signal),
  );
  await oauth.processRevocationResponse(response);
  return true;
}
