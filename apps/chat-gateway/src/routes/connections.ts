import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OAuthConfig } from '@switchyard/config';
import { createSecretBox } from '@switchyard/db';
import {
  InvalidStateError,
  InvalidValueError,
  NotFoundError,
  PlatformNotConfiguredError,
  PlatformRefusedError,
  withParam,
} from '../errors.js';
import { errorResponses, IdParamsSchema } from '../schemas/common.js';
import {
  AuthorizeBodySchema,
  AuthorizeResponseSchema,
  CallbackQuerySchema,
  ConnectedSchema,
  ConnectionListSchema,
  DeletedConnectionSchema,
  OAuthPlatformParamsSchema,
  WordPressConnectBodySchema,
} from '../schemas/connections.js';
import { createConnectionsService } from '../services/connections.js';
import { createOAuthStateStore, type OAuthStateRefusal } from '../services/oauth-state.js';
import {
  authorizationUrl,
  CodeExchangeError,
  createPkcePair,
  exchangeCode,
  isConfigured,
  type OAuthFlowPlatform,
} from '../services/platform-oauth.js';
import { createWordPressCheck, WordPressCheckError } from '../services/wordpress-check.js';

const platformNames: Record<OAuthFlowPlatform, string> = {
  gsc: 'Google Search Console',
  bing: 'Bing Webmaster Tools',
  wix: 'Wix',
};
const envPrefix: Record<OAuthFlowPlatform, string> = { gsc: 'GOOGLE', bing: 'BING', wix: 'WIX' };

const refusals: Record<OAuthStateRefusal, string> = {
  already_used: '`state` was already used: each authorization link works once. Start the connection again.',
  expired: '`state` has expired (links are valid for 10 minutes). Start the connection again.',
  foreign: '`state` was issued to another user. Start the connection again from your own account.',
  unknown: '`state` is not one we issued. Start the connection again.',
  wrong_platform: '`state` was issued for another platform. Start the connection again.',
};

const codeExchangeTimeoutMs = 15_000;

/** Platform connections: list, OAuth authorize/callback (PKCE S256), WordPress application passwords, removal. */
const connectionsRoutes: FastifyPluginAsyncTypebox<{
  oauth: OAuthConfig;
  secretsKey: Buffer;
  secretsPreviousKeys?: readonly Buffer[];
  /** Hosts a WordPress site may resolve to although not public (test simulators, internal sites). */
  siteAllowlist: readonly string[];
  stateTtlSeconds?: number;
}> = (app, options) => {
  const security = [{ apiKey: [] }];
  const connections = createConnectionsService({
    platform: app.platform.db,
    userdata: app.userdata,
    secretBox: createSecretBox(options.secretsKey, options.secretsPreviousKeys),
    queues: app.queues,
    oauth: options.oauth,
    logger: app.log,
  });
  const states = createOAuthStateStore({
    redis: app.redis,
    keyPrefix: app.redisKeyPrefix,
    ttlSeconds: options.stateTtlSeconds ?? 600,
  });
  const wordpress = createWordPressCheck({ allowlist: options.siteAllowlist });
  app.addHook('onClose', () => wordpress.close());

  const configuredSettings = (platform: OAuthFlowPlatform) => {
    const settings = options.oauth.platforms[platform];
    if (!isConfigured(settings))
      throw new PlatformNotConfiguredError(
        `${platformNames[platform]} cannot be connected: its OAuth app is not configured on this server (set ${envPrefix[platform]}_CLIENT_ID and ${envPrefix[platform]}_CLIENT_SECRET).`,
      );
    return settings;
  };
  const redirectUri = (platform: OAuthFlowPlatform) =>
    `${options.oauth.redirectBaseUrl}/api/connections/${platform}/callback`;

  app.get(
    '/api/connections',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['connections'],
        security,
        summary: 'Your platform connections (status, account, scopes, expiry, last refresh; never a token)',
        response: { 200: ConnectionListSchema, ...errorResponses },
      },
    },
    async (request) => ({ connections: await connections.list(request.principal!.userId) }),
  );

  app.post(
    '/api/connections/:platform/authorize',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['connections'],
        security,
        summary:
          'Start connecting a platform: the URL to open (PKCE S256, single-use state valid 10 minutes)',
        params: OAuthPlatformParamsSchema,
        body: AuthorizeBodySchema,
        response: { 200: AuthorizeResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { platform } = request.params;
      const settings = configuredSettings(platform);
      const pkce = await createPkcePair();
      const state = await states.issue({
        userId: request.principal!.userId,
        platform,
        codeVerifier: pkce.verifier,
        siteUrl: request.body?.siteUrl ?? null,
      });
      return {
        authorizationUrl: authorizationUrl(settings, {
          redirectUri: redirectUri(platform),
          state,
          codeChallenge: pkce.challenge,
        }),
      };
    },
  );

  app.get(
    '/api/connections/:platform/callback',
    {
      // The browser arrives here from the platform without our API key: the state says whose connection it is.
      // A caller that does send a key must be the user the state was issued to.
      onRequest: (request, reply, done) => {
        if (request.headers.authorization === undefined && request.headers['x-api-key'] === undefined)
          return done();
        app.authenticate(request).then(() => done(), done);
      },
      schema: {
        tags: ['connections'],
        summary: 'Where the platform sends the browser back: exchanges the code and stores the connection',
        params: OAuthPlatformParamsSchema,
        querystring: CallbackQuerySchema,
        response: { 200: ConnectedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { platform } = request.params;
      const { state, code, error } = request.query;
      const consumed = await states.consume(state, platform, request.principal?.userId);
      if ('refused' in consumed) throw withParam(new InvalidStateError(refusals[consumed.refused]), 'state');
      if (error !== undefined)
        throw withParam(
          new PlatformRefusedError(
            `${platformNames[platform]} did not grant access (${error}); start the connection again to retry.`,
          ),
          'error',
        );
      if (code === undefined)
        throw withParam(new InvalidValueError('`code` is missing from the callback.'), 'code');
      const settings = configuredSettings(platform);
      const { record } = consumed;
      let tokens;
      try {
        tokens = await exchangeCode(
          settings,
          { code, state, redirectUri: redirectUri(platform), codeVerifier: record.codeVerifier },
          AbortSignal.timeout(codeExchangeTimeoutMs),
        );
      } catch (exchangeError) {
        if (exchangeError instanceof CodeExchangeError)
          throw withParam(new PlatformRefusedError(exchangeError.message), 'code');
        throw exchangeError;
      }
      const connected = await connections.storeGrant(record.userId, platform, {
        ...tokens,
        siteUrl: record.siteUrl,
      });
      request.log.info(
        { userId: record.userId, platform, connectionId: connected.connection.id },
        'platform connected',
      );
      const returnUrl = options.oauth.connectionsReturnUrl;
      if (returnUrl !== undefined) {
        const target = new URL(returnUrl);
        target.searchParams.set('platform', platform);
        target.searchParams.set('connectionId', connected.connection.id);
        target.searchParams.set('status', 'connected');
        return reply.redirect(target.href, 303);
      }
      return {
        connection: connected.connection,
        tasks: {
          oauthTaskId: connected.tasks.oauthTask.id,
          insightsTaskId: connected.tasks.insightsTask?.id ?? null,
        },
      };
    },
  );

  app.post(
    '/api/connections/wordpress',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['connections'],
        security,
        summary: 'Connect a WordPress site with an application password (checked against the site first)',
        body: WordPressConnectBodySchema,
        response: { 201: ConnectedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { siteUrl, username, applicationPassword } = request.body;
      let url: URL;
      try {
        url = new URL(siteUrl);
      } catch {
        throw withParam(new InvalidValueError('`siteUrl` is not a valid URL.'), 'siteUrl');
      }
      if (url.username || url.password)
        throw withParam(new InvalidValueError('`siteUrl` must not carry credentials.'), 'siteUrl');
      try {
        await wordpress.check(url, username, applicationPassword);
      } catch (error) {
        if (error instanceof WordPressCheckError)
          throw withParam(
            error.param === 'applicationPassword'
              ? new PlatformRefusedError(error.message)
              : new InvalidValueError(error.message),
            error.param,
          );
        throw error;
      }
      // WordPress has no OAuth refresh: the Basic credential is the token, stored encrypted, never expiring.
      const connected = await connections.storeGrant(request.principal!.userId, 'wordpress', {
        accessToken: `${username}:${applicationPassword}`,
        refreshToken: undefined,
        expiresAt: undefined,
        scope: undefined,
        siteUrl: url.href,
      });
      return reply.code(201).send({
        connection: connected.connection,
        tasks: {
          oauthTaskId: connected.tasks.oauthTask.id,
          insightsTaskId: connected.tasks.insightsTask?.id ?? null,
        },
      });
    },
  );

  app.delete(
    '/api/connections/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['connections'],
        security,
        summary: 'Disconnect: revoke at the platform where it can, forget the tokens, pause the tasks',
        params: IdParamsSchema,
        response: { 200: DeletedConnectionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const removed = await connections.remove(
        request.principal!.userId,
        request.params.id,
        AbortSignal.timeout(codeExchangeTimeoutMs),
      );
      if (removed === undefined) throw new NotFoundError('Connection');
      return { id: request.params.id, ...removed };
    },
  );
  return Promise.resolve();
};

export default connectionsRoutes;
