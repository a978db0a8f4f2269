import { randomUUID } from 'node:crypto';
import { buildApp } from '@switchyard/chat-gateway';
import { gatewayAppConfig, parseConfig } from '@switchyard/config';
import { and, eq, secretContext, withUser } from '@switchyard/db';
import { ensureConnectionTasks } from '@switchyard/db/provisioning';
import {
  oauthTokenExecutionLogs,
  oauthTokenMonitoringTasks,
  onboardingSessions,
  platformInsights,
  platformInsightsTasks,
} from '@switchyard/db/platform';
import { oauthConnections } from '@switchyard/db/userdata';
import { queueNames } from '@switchyard/jobs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisUrl, startWorkerHarness, type WorkerHarness } from './helper.js';
import { startOAuthSimulator, type OAuthSimulator } from './simulators/oauth-server.js';
import {
  startSearchPlatformsSimulator,
  type SearchPlatformsSimulator,
} from './simulators/search-platforms-server.js';
import { startWordPressSimulator, type WordPressSimulator } from './simulators/wordpress-server.js';

// The whole connect path, gateway and worker on one Redis prefix and one pair of databases, against simulators of
// Google's and Bing's authorization servers and APIs and a WordPress site: authorize -> the platform (real HTTP)
// -> callback -> connection stored encrypted, tasks active -> the worker refreshes and stores insights.

const adminKey = 'test-admin-key-0123456789';
const gatewayOrigin = 'http://gateway.test';

let harness: WorkerHarness;
let google: OAuthSimulator;
let bing: OAuthSimulator;
let platforms: SearchPlatformsSimulator;
let wordpress: WordPressSimulator;
let gateway: Awaited<ReturnType<typeof buildApp>>;
let shortStateGateway: Awaited<ReturnType<typeof buildApp>>;

const access = (userId: string) => secretContext('oauth_connections', 'encrypted_access_token', userId);
const refresh = (userId: string) => secretContext('oauth_connections', 'encrypted_refresh_token', userId);

async function startGateway(env: Record<string, string> = {}) {
  const config = parseConfig(gatewayAppConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PLATFORM_DATABASE_URL: harness.databases.config.platformUrl,
    USERDATA_DATABASE_URL: harness.databases.config.userdataUrl,
    DATABASE_POOL_MAX: '3',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: harness.prefix,
    GATEWAY_ADMIN_KEY: adminKey,
    USER_BASE_URL_ALLOWLIST: '127.0.0.1',
    OAUTH_REDIRECT_BASE_URL: gatewayOrigin,
    GOOGLE_OAUTH_AUTHORIZE_URL: google.authorizeUrl,
    GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: google.revokeUrl,
    GOOGLE_CLIENT_ID: 'client-id',
    GOOGLE_CLIENT_SECRET: 'client-secret',
    BING_OAUTH_AUTHORIZE_URL: bing.authorizeUrl,
    BING_OAUTH_TOKEN_URL: bing.tokenUrl,
    BING_CLIENT_ID: 'client-id',
    BING_CLIENT_SECRET: 'client-secret',
    ...env,
  });
  const app = await buildApp(config);
  await app.ready();
  return app;
}

beforeAll(async () => {
  [google, bing, platforms, wordpress] = await Promise.all([
    startOAuthSimulator(),
    startOAuthSimulator(),
    startSearchPlatformsSimulator(),
    startWordPressSimulator(),
  ]);
  bing.rotateRefreshTokens = true;
  for (const platform of ['gsc', 'bing'])
    for (const simulator of [google, bing])
      simulator.redirectUris.add(`${gatewayOrigin}/api/connections/${platform}/callback`);
  platforms.alsoAccept = (token) => google.issued.includes(token) || bing.issued.includes(token);
  harness = await startWorkerHarness({
    consume: [queueNames.oauthTokenMonitoring, queueNames.platformInsights],
    env: {
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_CLIENT_ID: 'client-id',
      GOOGLE_CLIENT_SECRET: 'client-secret',
      BING_OAUTH_TOKEN_URL: bing.tokenUrl,
      BING_CLIENT_ID: 'client-id',
      BING_CLIENT_SECRET: 'client-secret',
      GSC_API_BASE_URL: platforms.gscBaseUrl,
      BING_WEBMASTER_API_BASE_URL: platforms.bingBaseUrl,
    },
  });
  gateway = await startGateway();
  // A second replica: short-lived states, and a return URL for the browser.
  shortStateGateway = await startGateway({
    OAUTH_STATE_TTL_SECONDS: '1',
    CONNECTIONS_RETURN_URL: 'https://app.example/settings/connections',
  });
});

afterAll(async () => {
  await shortStateGateway?.close();
  await gateway?.close();
  await harness?.close();
  await Promise.all([google?.close(), bing?.close(), platforms?.close(), wordpress?.close()]);
});

async function createUser(): Promise<{ id: string; key: string }> {
  const user = await gateway.inject({
    method: 'POST',
    url: '/api/admin/users',
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { email: `user-${randomUUID()}@example.com` },
  });
  const { id } = user.json<{ id: string }>();
  const key = await gateway.inject({
    method: 'POST',
    url: `/api/admin/users/${id}/api-keys`,
    headers: { authorization: `Bearer ${adminKey}` },
    payload: {},
  });
  return { id, key: key.json<{ key: string }>().key };
}

/** Asks the gateway for the authorization URL and lets the simulator "consent": the callback path and query. */
async function consent(
  app: typeof gateway,
  key: string,
  platform: 'gsc' | 'bing',
  body?: Record<string, unknown>,
): Promise<string> {
  const authorize = await app.inject({
    method: 'POST',
    url: `/api/connections/${platform}/authorize`,
    headers: { authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { payload: body }),
  });
  expect(authorize.statusCode).toBe(200);
  const { authorizationUrl } = authorize.json<{ authorizationUrl: string }>();
  const url = new URL(authorizationUrl);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  // Real HTTP to the simulator, as the browser would go; its answer redirects back to the gateway.
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location')!);
  expect(back.origin).toBe(gatewayOrigin);
  return `${back.pathname}${back.search}`;
}

const callback = (path: string, key?: string, app = gateway) =>
  app.inject({
    method: 'GET',
    url: path,
    ...(key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } }),
  });

async function connectionRow(userId: string, connectionId: string) {
  const [row] = await withUser(harness.databases.userdata, userId, (transaction) =>
    transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId)),
  );
  return row!;
}

async function oauthTask(taskId: string) {
  const [row] = await harness.databases.platform.db
    .select()
    .from(oauthTokenMonitoringTasks)
    .where(eq(oauthTokenMonitoringTasks.id, taskId));
  return row!;
}

interface Connected {
  connection: { id: string; platform: string; status: string; siteUrl: string | null; scopes: string[] };
  tasks: { oauthTaskId: string; insightsTaskId: string | null };
}

describe('connecting a platform', () => {
  it('connects Search Console end to end: encrypted tokens, active tasks, a refresh and an insights snapshot', async () => {
    const user = await createUser();
    const path = await consent(gateway, user.key, 'gsc', { siteUrl: 'https://shop.example/' });

    // The browser arrives without our API key: the state says whose connection this is.
    const response = await callback(path);
    expect(response.statusCode).toBe(200);
    const connected = response.json<Connected>();
    expect(connected.connection).toMatchObject({
      platform: 'gsc',
      status: 'active',
      siteUrl: 'https://shop.example/',
      scopes: ['https://www.googleapis.com/auth/webmasters.readonly'],
    });
    expect(connected.tasks.insightsTaskId).not.toBeNull();
    const exchanged = google.requests.find((request) => request.grant_type === 'authorization_code')!;
    expect(exchanged.code_verifier).toMatch(/^[\w-]{43,128}$/);

    // Stored encrypted: the raw columns are not the tokens, yet decrypt to exactly what Google issued.
    const row = await connectionRow(user.id, connected.connection.id);
    const issuedAccess = google.issued[0]!;
    expect(row.encryptedAccessToken).not.toContain(issuedAccess);
    expect(harness.secretBox.decrypt(row.encryptedAccessToken, access(user.id))).toBe(issuedAccess);
    expect(
      google.validRefreshTokens.has(harness.secretBox.decrypt(row.encryptedRefreshToken!, refresh(user.id))),
    ).toBe(true);

    // The listing shows the connection and never a token.
    const list = await gateway.inject({
      method: 'GET',
      url: '/api/connections',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(list.json<{ connections: Array<{ id: string }> }>().connections).toEqual([
      expect.objectContaining({ id: connected.connection.id, platform: 'gsc', status: 'active' }),
    ]);
    expect(list.body).not.toContain(issuedAccess);
    expect(list.body).not.toContain('refresh-');

    // The first runs were enqueued by the callback: the worker checks the token and stores an insights snapshot.
    await vi.waitFor(
      async () => {
        const firstRuns = await harness.databases.platform.db
          .select()
          .from(oauthTokenExecutionLogs)
          .where(eq(oauthTokenExecutionLogs.taskId, connected.tasks.oauthTaskId));
        expect(firstRuns).toEqual([expect.objectContaining({ status: 'success' })]);
        const snapshots = await harness.databases.platform.db
          .select()
          .from(platformInsights)
          .where(eq(platformInsights.userId, user.id));
        expect(snapshots).toEqual([
          expect.objectContaining({ platform: 'gsc', siteUrl: 'https://shop.example/', dataSource: 'api' }),
        ]);
      },
      { timeout: 20_000, interval: 100 },
    );

    // A task that needed the user is active again once the user reconnects (ensureConnectionTasks).
    await harness.databases.platform.db
      .update(oauthTokenMonitoringTasks)
      .set({ status: 'needs_intervention', consecutiveFailures: 3, failureReason: 'invalid_grant' })
      .where(eq(oauthTokenMonitoringTasks.id, connected.tasks.oauthTaskId));
    const again = await ensureConnectionTasks(harness.databases.platform.db, {
      userId: user.id,
      connectionId: connected.connection.id,
      platform: 'gsc',
    });
    expect(again.oauthTask.id).toBe(connected.tasks.oauthTaskId);
    expect(again.insightsTask?.id).toBe(connected.tasks.insightsTaskId);
    expect(await oauthTask(connected.tasks.oauthTaskId)).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      failureReason: null,
    });

    // The worker refreshes the token of the reactivated task (it expires within the hour).
    const before = google.issued.length;
    await harness.runTask('oauth_token', connected.tasks.oauthTaskId, user.id);
    expect(google.issued.length).toBe(before + 1);
    const refreshed = await connectionRow(user.id, connected.connection.id);
    expect(harness.secretBox.decrypt(refreshed.encryptedAccessToken, access(user.id))).toBe(
      google.issued.at(-1),
    );
    const logs = await harness.databases.platform.db
      .select()
      .from(oauthTokenExecutionLogs)
      .where(eq(oauthTokenExecutionLogs.taskId, connected.tasks.oauthTaskId));
    expect(logs.some((log) => log.status === 'success' && log.resultData?.refreshed === true)).toBe(true);
  });

  it('connects Bing with the site from onboarding and refuses the same state a second time', async () => {
    const user = await createUser();
    await harness.databases.platform.db
      .insert(onboardingSessions)
      .values({ userId: user.id, status: 'in_progress', websiteUrl: 'https://garden.example/' });
    const path = await consent(gateway, user.key, 'bing');
    const first = await callback(path);
    expect(first.statusCode).toBe(200);
    const connected = first.json<Connected>();
    const [insights] = await harness.databases.platform.db
      .select()
      .from(platformInsightsTasks)
      .where(eq(platformInsightsTasks.id, connected.tasks.insightsTaskId!));
    expect(insights).toMatchObject({
      platform: 'bing',
      siteUrl: 'https://garden.example/',
      status: 'active',
    });

    const replay = await callback(path);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ error: { code: 'invalid_state', param: 'state' } });
    expect(replay.json<{ error: { message: string } }>().error.message).toMatch(/already used/);
  });

  it('sends the browser to CONNECTIONS_RETURN_URL when it is set', async () => {
    const user = await createUser();
    const response = await callback(
      await consent(shortStateGateway, user.key, 'gsc'),
      undefined,
      shortStateGateway,
    );
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example/settings/connections');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      platform: 'gsc',
      status: 'connected',
      connectionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
    expect(response.body).not.toContain('access-');
  });

  it("refuses an expired state and another user's state, storing nothing", async () => {
    const owner = await createUser();
    const other = await createUser();

    const expiring = await consent(shortStateGateway, owner.key, 'gsc');
    const redis = new Redis(redisUrl);
    try {
      const state = new URL(expiring, gatewayOrigin).searchParams.get('state')!;
      // Redis expires the state itself (TTL 1 s on this replica); the callback comes after.
      await vi.waitFor(
        async () => expect(await redis.exists(`${harness.prefix}:oauth-state:${state}`)).toBe(0),
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await redis.quit();
    }
    const expired = await callback(expiring, undefined, shortStateGateway);
    expect(expired.statusCode).toBe(400);
    expect(expired.json<{ error: { message: string } }>().error.message).toMatch(/expired/);

    const owners = await consent(gateway, owner.key, 'gsc');
    const foreign = await callback(owners, other.key);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json<{ error: { message: string } }>().error.message).toMatch(/another user/);

    for (const user of [owner, other]) {
      const list = await gateway.inject({
        method: 'GET',
        url: '/api/connections',
        headers: { authorization: `Bearer ${user.key}` },
      });
      expect(list.json()).toEqual({ connections: [] });
    }
  });

  it('checks a WordPress application password with the site before storing it', async () => {
    const user = await createUser();
    wordpress.passwords.set('editor', 'abcd efgh ijkl mnop');
    const refused = await gateway.inject({
      method: 'POST',
      url: '/api/connections/wordpress',
      headers: { authorization: `Bearer ${user.key}` },
      payload: { siteUrl: wordpress.url, username: 'editor', applicationPassword: 'wrong' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { param: 'applicationPassword' } });
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/application password/);
    const nothing = await withUser(harness.databases.userdata, user.id, (transaction) =>
      transaction.select().from(oauthConnections),
    );
    expect(nothing).toEqual([]);

    const accepted = await gateway.inject({
      method: 'POST',
      url: '/api/connections/wordpress',
      headers: { authorization: `Bearer ${user.key}` },
      payload: { siteUrl: wordpress.url, username: 'editor', applicationPassword: 'abcd efgh ijkl mnop' },
    });
    expect(accepted.statusCode).toBe(201);
    // Whole phrases only: a random id or ciphertext can hold a short fragment such as "abcd" by chance.
    expect(accepted.body).not.toContain('abcd efgh ijkl mnop');
    expect(accepted.body).not.toContain('abcdefghijklmnop');
    expect(wordpress.requests.at(-1)!.path).toBe('/wp-json/wp/v2/users/me');
    const [stored] = await withUser(harness.databases.userdata, user.id, (transaction) =>
      transaction.select().from(oauthConnections),
    );
    expect(stored).toMatchObject({ platform: 'wordpress', status: 'active' });
    expect(stored!.encryptedAccessToken).not.toContain('abcd efgh ijkl mnop');
    expect(stored!.encryptedAccessToken).not.toContain('abcdefghijklmnop');
  });

  it('refuses Wix at creation when its OAuth app is not configured', async () => {
    const user = await createUser();
    const response = await gateway.inject({
      method: 'POST',
      url: '/api/connections/wix/authorize',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'platform_not_configured' } });
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/WIX_CLIENT_ID/);
  });

  it('revokes at Google and pauses the tasks on delete; another user can neither see nor delete it', async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const connected = (
      await callback(await consent(gateway, owner.key, 'gsc', { siteUrl: 'https://owned.example/' }))
    ).json<Connected>();
    const refreshToken = harness.secretBox.decrypt(
      (await connectionRow(owner.id, connected.connection.id)).encryptedRefreshToken!,
      refresh(owner.id),
    );

    const strangerList = await gateway.inject({
      method: 'GET',
      url: '/api/connections',
      headers: { authorization: `Bearer ${stranger.key}` },
    });
    expect(strangerList.json()).toEqual({ connections: [] });
    const strangerDelete = await gateway.inject({
      method: 'DELETE',
      url: `/api/connections/${connected.connection.id}`,
      headers: { authorization: `Bearer ${stranger.key}` },
    });
    expect(strangerDelete.statusCode).toBe(404);
    expect(google.revoked).not.toContain(refreshToken);

    const removed = await gateway.inject({
      method: 'DELETE',
      url: `/api/connections/${connected.connection.id}`,
      headers: { authorization: `Bearer ${owner.key}` },
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ id: connected.connection.id, revokedAtPlatform: true, pausedTasks: 2 });
    expect(google.revoked).toContain(refreshToken);
    expect(google.validRefreshTokens.has(refreshToken)).toBe(false);
    expect((await oauthTask(connected.tasks.oauthTaskId)).status).toBe('paused');
    const [insights] = await harness.databases.platform.db
      .select()
      .from(platformInsightsTasks)
      .where(
        and(
          eq(platformInsightsTasks.userId, owner.id),
          eq(platformInsightsTasks.id, connected.tasks.insightsTaskId!),
        ),
      );
    expect(insights!.status).toBe('paused');
    const row = await connectionRow(owner.id, connected.connection.id);
    expect(row).toMatchObject({ status: 'revoked', encryptedRefreshToken: null });
  });
});
