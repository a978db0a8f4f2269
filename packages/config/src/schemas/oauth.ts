import { z } from 'zod';
import { emptyAsUndefined, integer, url } from './shared.js';

const httpUrl = url(['http:', 'https:']);
const optionalSecret = emptyAsUndefined(z.string().optional());
const optionalUrl = emptyAsUndefined(httpUrl.optional());

/** One platform's OAuth client: its endpoints (defaults are the real ones; tests point them at simulators). */
export interface OAuthPlatformSettings {
  clientId: string | undefined;
  clientSecret: string | undefined;
  authorizeUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint; undefined = the platform has none, a connection is only forgotten locally. */
  revokeUrl: string | undefined;
  scopes: string;
}

/**
 * The OAuth apps of the connectable platforms (Google Search Console, Bing Webmaster, Wix), read by the gateway
 * (authorize, code exchange, revoke) and the worker (refresh). A platform whose client id or secret is unset
 * cannot be connected (the gateway refuses with a 400 that says so).
 */
export const oauthConfigSchema = z
  .object({
    GOOGLE_CLIENT_ID: optionalSecret,
    GOOGLE_CLIENT_SECRET: optionalSecret,
    GOOGLE_OAUTH_AUTHORIZE_URL: emptyAsUndefined(
      httpUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
    ),
    GOOGLE_OAUTH_TOKEN_URL: emptyAsUndefined(httpUrl.default('https://oauth2.googleapis.com/token')),
    GOOGLE_OAUTH_REVOKE_URL: emptyAsUndefined(httpUrl.default('https://oauth2.googleapis.com/revoke')),
    GOOGLE_OAUTH_SCOPES: emptyAsUndefined(
      z.string().default('https://www.googleapis.com/auth/webmasters.readonly'),
    ),
    BING_CLIENT_ID: optionalSecret,
    BING_CLIENT_SECRET: optionalSecret,
    BING_OAUTH_AUTHORIZE_URL: emptyAsUndefined(
      httpUrl.default('https://login.microsoftonline.com/common/oauth2/v2.0/authorize'),
    ),
    BING_OAUTH_TOKEN_URL: emptyAsUndefined(
      httpUrl.default('https://login.microsoftonline.com/common/oauth2/v2.0/token'),
    ),
    // Microsoft's identity platform has no RFC 7009 endpoint; set one only if your authorization server has it.
    BING_OAUTH_REVOKE_URL: optionalUrl,
    BING_OAUTH_SCOPES: emptyAsUndefined(z.string().default('webmaster.read offline_access')),
    WIX_CLIENT_ID: optionalSecret,
    WIX_CLIENT_SECRET: optionalSecret,
    WIX_OAUTH_AUTHORIZE_URL: emptyAsUndefined(httpUrl.default('https://www.wix.com/installer/install')),
    WIX_OAUTH_TOKEN_URL: emptyAsUndefined(httpUrl.default('https://www.wixapis.com/oauth/access')),
    WIX_OAUTH_REVOKE_URL: optionalUrl,
    WIX_OAUTH_SCOPES: emptyAsUndefined(z.string().default('offline_access')),
    OAUTH_REDIRECT_BASE_URL: emptyAsUndefined(httpUrl.default('http://localhost:8000')),
    CONNECTIONS_RETURN_URL: optionalUrl,
    OAUTH_STATE_TTL_SECONDS: integer({ default: 600, min: 1, max: 3_600 }),
  })
  .transform((env) => {
    const platform = (prefix: 'GOOGLE' | 'BING' | 'WIX'): OAuthPlatformSettings => ({
      clientId: env[`${prefix}_CLIENT_ID`],
      clientSecret: env[`${prefix}_CLIENT_SECRET`],
      authorizeUrl: env[`${prefix}_OAUTH_AUTHORIZE_URL`],
      tokenUrl: env[`${prefix}_OAUTH_TOKEN_URL`],
      revokeUrl: env[`${prefix}_OAUTH_REVOKE_URL`],
      scopes: env[`${prefix}_OAUTH_SCOPES`],
    });
    return {
      /** Keyed by the platform names of `oauth_connections.platform`. */
      platforms: { gsc: platform('GOOGLE'), bing: platform('BING'), wix: platform('WIX') },
      /** Public base URL of the gateway; the redirect URI is `<base>/api/connections/<platform>/callback`. */
      redirectBaseUrl: env.OAUTH_REDIRECT_BASE_URL.replace(/\/$/, ''),
      /** Where the browser is sent after a callback; unset = the callback answers JSON. */
      connectionsReturnUrl: env.CONNECTIONS_RETURN_URL,
      /** How long an authorize link (its single-use `state`) stays valid. */
      stateTtlSeconds: env.OAUTH_STATE_TTL_SECONDS,
    };
  });

export type OAuthConfig = z.output<typeof oauthConfigSchema>;
