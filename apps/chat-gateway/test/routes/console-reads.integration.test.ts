import { apiUsageLogs } from '@switchyard/db/platform';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminKey, createTestGateway, subscribeToNewPlan, type TestGateway } from '../helper.js';

interface RequestView {
  requestId: string;
  provider: string;
  status: string;
  attempts: number;
  fallback: boolean;
  latencyMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}
interface Bucket {
  start: string;
  requests: number;
  successRate: number | null;
  p95Ms: number | null;
  fallbacks: number;
}
interface ProviderStats {
  provider: string;
  buckets: Bucket[];
  breakerTransitions: { at: string; state: string; openUntil: string | null }[];
}

/**
 * The read APIs the console's pages need, over real traffic: chats through a failing and a healthy simulator,
 * their usage events stored as the worker's consumer stores them, metrics and fallbacks flushed.
 */
describe('console read APIs', () => {
  let failing: Simulator;
  let healthy: Simulator;
  let gateway: TestGateway;
  let user: { id: string; key: string; keyId: string };
  let other: { id: string; key: string };
  const admin = { authorization: `Bearer ${adminKey}` };

  beforeAll(async () => {
    [failing, healthy] = await Promise.all([
      startOpenAISimulator({ faults: [{ type: 'server_error' }] }),
      startOpenAISimulator(),
    ]);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-failing',
      OPENAI_BASE_URL: `${failing.url}/v1`,
      GROQ_API_KEY: 'gsk-test-healthy',
      GROQ_BASE_URL: `${healthy.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
      METRICS_FLUSH_INTERVAL_MS: '600000',
    });
    user = await gateway.createUser();
    other = await gateway.createUser();
    for (let index = 0; index < 4; index += 1) {
      const chat = await gateway.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${user.key}` },
        payload: { model: 'auto', messages: [{ role: 'user', content: `question ${index}` }] },
      });
      expect(chat.headers['x-gateway-provider']).toBe('groq');
    }
    // What the worker's usage consumer does: one api_usage_logs row per event of the usage streams.
    const events = await gateway.usageEvents();
    await gateway.databases.platform.db.insert(apiUsageLogs).values(
      events.map((event) => ({
        requestId: event.requestId,
        attempt: event.attempt,
        userId: event.userId,
        apiKeyId: event.apiKeyId,
        provider: event.provider,
        model: event.model,
        endpoint: event.endpoint,
        promptTokens: event.promptTokens,
        completionTokens: event.completionTokens,
        cachedTokens: event.cachedTokens,
        tokensEstimated: event.tokensEstimated,
        cost: event.costUsd,
        priceEstimated: event.priceEstimated,
        latencyMs: event.latencyMs,
        status: event.status,
        errorClass: event.errorKind,
        fallbackFrom: event.fallbackFrom,
        streaming: event.streaming,
        createdAt: new Date(event.occurredAt),
      })),
    );
    await Promise.all([gateway.app.recorders.metrics.flush(), gateway.app.recorders.fallbacks.flush()]);
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([failing.close(), healthy.close()]);
  });

  it("lists the user's requests newest first with provider, attempts, fallback, latency, tokens and cost", async () => {
    const response = await gateway.app.inject({
      url: '/api/users/me/requests',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(response.statusCode).toBe(200);
    const { requests, nextBefore } = response.json<{ requests: RequestView[]; nextBefore: string | null }>();
    expect(requests).toHaveLength(4);
    expect(nextBefore).toBeNull();
    for (const request of requests) {
      expect(request).toMatchObject({ provider: 'groq', status: 'success' });
      expect(request.completionTokens).toBeGreaterThan(0);
      expect(request.costUsd).toBeGreaterThan(0);
      expect(request.latencyMs).toEqual(expect.any(Number));
    }
    // The first chat tried the failing provider (and retried it) before the healthy one answered.
    const oldest = requests.at(-1)!;
    expect(oldest.fallback).toBe(true);
    expect(oldest.attempts).toBeGreaterThanOrEqual(2);
  });

  it('pages with `before` and never shows another user their requests', async () => {
    const headers = { authorization: `Bearer ${user.key}` };
    const first = await gateway.app.inject({ url: '/api/users/me/requests?limit=3', headers });
    const page = first.json<{ requests: RequestView[]; nextBefore: string }>();
    expect(page.requests).toHaveLength(3);
    const second = await gateway.app.inject({
      url: `/api/users/me/requests?limit=3&before=${encodeURIComponent(page.nextBefore)}`,
      headers,
    });
    const rest = second.json<{ requests: RequestView[]; nextBefore: string | null }>();
    expect(rest.requests).toHaveLength(1);
    expect(rest.nextBefore).toBeNull();
    const ids = [...page.requests, ...rest.requests].map((request) => request.requestId);
    expect(new Set(ids).size).toBe(4);

    const others = await gateway.app.inject({
      url: '/api/users/me/requests',
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(others.json()).toEqual({ requests: [], nextBefore: null });
    const bad = await gateway.app.inject({ url: '/api/users/me/requests?limit=0', headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { param: 'limit' } });
    expect((await gateway.app.inject({ url: '/api/users/me/requests' })).statusCode).toBe(401);
  });

  it('breaks this month down per day (every day so far) and per provider/model', async () => {
    const response = await gateway.app.inject({
      url: '/api/users/me/usage/breakdown',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(response.statusCode).toBe(200);
    const breakdown = response.json<{
      period: string;
      days: { date: string; requests: number; errors: number; costUsd: number }[];
      models: { provider: string; requests: number; costUsd: number }[];
    }>();
    const today = new Date().toISOString().slice(0, 10);
    expect(breakdown.period).toBe(today.slice(0, 7));
    expect(breakdown.days).toHaveLength(Number(today.slice(8, 10)));
    expect(breakdown.days.at(-1)).toMatchObject({ date: today, requests: 4, errors: 0 });
    expect(breakdown.days.at(-1)!.costUsd).toBeGreaterThan(0);
    expect(breakdown.models.map((model) => model.provider)).toEqual(
      expect.arrayContaining(['groq', 'openai']),
    );
    expect(breakdown.models.find((model) => model.provider === 'groq')!.requests).toBe(4);
  });

  it('lists users for the operator with their keys and plan, and every plan', async () => {
    const plan = await subscribeToNewPlan(gateway, user.id, { monthlyRequestLimit: 100 });
    await gateway.app.inject({
      method: 'PUT',
      url: `/api/admin/plans/${plan}`,
      headers: admin,
      payload: { active: false },
    });
    const response = await gateway.app.inject({ url: '/api/admin/users', headers: admin });
    expect(response.statusCode).toBe(200);
    const { users } = response.json<{
      users: {
        id: string;
        plan: { name: string } | null;
        apiKeys: { id: string; prefix: string; lastUsedAt: string | null }[];
      }[];
    }>();
    const listed = users.find((candidate) => candidate.id === user.id)!;
    expect(listed.plan?.name).toBe(plan);
    expect(listed.apiKeys).toEqual([expect.objectContaining({ id: user.keyId, revokedAt: null })]);
    // The key made the chats, so its last use is recorded (a minute's precision); the other user's key only
    // read its empty request list in an earlier test.
    expect(Date.now() - Date.parse(listed.apiKeys[0]!.lastUsedAt!)).toBeLessThan(5 * 60_000);
    expect(user.key.startsWith(listed.apiKeys[0]!.prefix)).toBe(true);
    expect(response.body).not.toContain(user.key);
    expect(users.find((candidate) => candidate.id === other.id)!.plan).toBeNull();

    const plans = await gateway.app.inject({ url: '/api/admin/plans', headers: admin });
    const names = plans.json<{ data: { name: string; active: boolean }[] }>().data;
    expect(names).toContainEqual(expect.objectContaining({ name: plan, active: false }));

    for (const url of ['/api/admin/users', '/api/admin/plans', '/api/admin/providers/stats']) {
      const refused = await gateway.app.inject({ url, headers: { authorization: `Bearer ${user.key}` } });
      expect(refused.statusCode, url).toBe(401);
      expect(refused.json(), url).toMatchObject({ error: { code: 'invalid_admin_key' } });
    }
  });

  it("shows each provider's attempts, success rate, latency, fallbacks and breaker opening over time", async () => {
    const stats = async () => {
      const response = await gateway.app.inject({
        url: '/api/admin/providers/stats?hours=3&bucketMinutes=60',
        headers: admin,
      });
      expect(response.statusCode).toBe(200);
      return response.json<{ bucketMinutes: number; providers: ProviderStats[] }>();
    };
    const body = await vi.waitFor(async () => {
      const current = await stats();
      const openai = current.providers.find((provider) => provider.provider === 'openai')!;
      expect(openai.breakerTransitions.map((transition) => transition.state)).toContain('open');
      return current;
    });
    expect(body.bucketMinutes).toBe(60);
    const openai = body.providers.find((provider) => provider.provider === 'openai')!;
    const groq = body.providers.find((provider) => provider.provider === 'groq')!;
    expect(openai.buckets).toHaveLength(3);
    const now = (provider: ProviderStats) => provider.buckets.at(-1)!;
    expect(now(openai).requests).toBeGreaterThan(0);
    expect(now(openai).successRate).toBe(0);
    expect(now(openai).fallbacks).toBeGreaterThan(0);
    expect(now(groq)).toMatchObject({ requests: 4, successRate: 1, fallbacks: 0 });
    expect(now(groq).p95Ms).toEqual(expect.any(Number));
    expect(openai.buckets[0]).toMatchObject({ requests: 0, successRate: null });
    const opened = openai.breakerTransitions.find((transition) => transition.state === 'open')!;
    expect(Date.parse(opened.openUntil!)).toBeGreaterThan(Date.parse(opened.at));
    expect(groq.breakerTransitions).toEqual([]);

    const tooMany = await gateway.app.inject({
      url: '/api/admin/providers/stats?hours=168&bucketMinutes=5',
      headers: admin,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ error: { code: 'invalid_value', param: 'bucketMinutes' } });
  });
});
