import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { eq, withUser } from '@switchyard/db';
import { userAiAgents } from '@switchyard/db/userdata';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import type { HostResolver } from '@switchyard/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

/** Plays DNS: each name answers from its script, one answer per lookup, the last repeating (a TTL-0 name). */
function scriptedResolver(answers: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve: HostResolver = (hostname) => {
    calls.push(hostname);
    const script = answers[hostname];
    if (!script)
      return Promise.reject(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const address = script.length > 1 ? script.shift()! : script[0]!;
    return Promise.resolve([{ address, family: 4 } satisfies LookupAddress]);
  };
  return { resolve, calls, answers };
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe('own provider keys at the edges: DNS rebinding, per-user limits, names', () => {
  let server: Simulator;
  let own: Simulator;
  let other: Simulator;
  let gateway: TestGateway;
  // An internal service on loopback a rebinding name points at: it must never see a connection.
  let internal: Server;
  let internalPort: number;
  const internalSockets = new Set<Socket>();
  const dns = scriptedResolver({});
  const env = {
    LLM_FALLBACK_ORDER: 'openai',
    // The simulators are on loopback; `simulator.test` is an operator-allowlisted name for them.
    USER_BASE_URL_ALLOWLIST: '127.0.0.1,simulator.test',
    MY_AGENTS_RATE_LIMIT_PER_MINUTE: '3',
  };

  beforeAll(async () => {
    [server, own, other] = await Promise.all([
      startOpenAISimulator(),
      startOpenAISimulator(),
      startOpenAISimulator(),
    ]);
    internal = createServer((socket) => {
      internalSockets.add(socket);
      socket.destroy();
    });
    internal.listen(0, '127.0.0.1');
    await once(internal, 'listening');
    internalPort = (internal.address() as AddressInfo).port;
    gateway = await createTestGateway(
      { ...env, OPENAI_API_KEY: 'sk-test-server-key', OPENAI_BASE_URL: `${server.url}/v1` },
      undefined,
      { resolveHost: dns.resolve },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    for (const socket of internalSockets) socket.destroy();
    internal?.close();
    await Promise.all([server?.close(), own?.close(), other?.close()]);
  });

  const putAgent = (target: TestGateway, key: string, baseUrl: string, apiKey = 'sk-own-user-key-5150') =>
    target.app.inject({
      method: 'PUT',
      url: '/api/ai-agents/my-agents',
      headers: as(key),
      payload: { provider: 'openai', apiKey, baseUrl, model: 'gpt-4o' },
    });
  const testAgent = (key: string, id: string) =>
    gateway.app.inject({ method: 'POST', url: `/api/ai-agents/my-agents/${id}/test`, headers: as(key) });

  describe('SSRF by DNS rebinding', () => {
    it('refuses at connect time a name that was public when checked and then points at loopback', async () => {
      // Public for the check on PUT and the check before the test call; loopback when the socket connects.
      dns.answers['rebind.test'] = ['93.184.216.34', '93.184.216.34', '127.0.0.1'];
      const user = await gateway.createUser();
      const put = await putAgent(gateway, user.key, `http://rebind.test:${internalPort}/v1`);
      expect(put.statusCode).toBe(200);
      const tested = await testAgent(user.key, put.json<{ id: string }>().id);
      expect(tested.statusCode).toBe(200);
      expect(tested.json()).toMatchObject({ ok: false, error: { kind: 'network' } });
      expect(internalSockets.size).toBe(0);
      // Two checks and the connection's own lookup: the socket went to the address the guard saw, not a fourth.
      expect(dns.calls.filter((name) => name === 'rebind.test')).toHaveLength(3);
    });

    it('keeps the early 400 on PUT when the name already resolves inside the network', async () => {
      dns.answers['metadata.test'] = ['169.254.169.254'];
      const user = await gateway.createUser();
      const put = await putAgent(gateway, user.key, 'http://metadata.test/latest');
      expect(put.statusCode).toBe(400);
      expect(put.json()).toMatchObject({ error: { code: 'invalid_value', param: 'baseUrl' } });
    });

    it('still connects an allowlisted name that resolves to loopback', async () => {
      dns.answers['simulator.test'] = ['127.0.0.1'];
      own.reset();
      const user = await gateway.createUser();
      const put = await putAgent(gateway, user.key, `http://simulator.test:${new URL(own.url).port}/v1`);
      const tested = await testAgent(user.key, put.json<{ id: string }>().id);
      expect(tested.json()).toMatchObject({ ok: true, error: null });
      expect(own.requests).toHaveLength(1);
    });
  });

  describe('per-user limits on my-agents writes and tests', () => {
    it('answers 429 rate_limit_exceeded with retry-after past 3 writes a minute, per user, on every replica', async () => {
      const replica = await createTestGateway(
        env,
        { databases: gateway.databases, keyPrefix: gateway.keyPrefix },
        { resolveHost: dns.resolve },
      );
      try {
        const user = await gateway.createUser();
        expect((await putAgent(gateway, user.key, `${own.url}/v1`)).statusCode).toBe(200);
        expect((await putAgent(replica, user.key, `${own.url}/v1`)).statusCode).toBe(200);
        expect((await putAgent(gateway, user.key, `${own.url}/v1`)).statusCode).toBe(200);
        const refused = await putAgent(replica, user.key, `${own.url}/v1`);
        expect(refused.statusCode).toBe(429);
        expect(refused.json()).toMatchObject({
          error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
        });
        const retryAfter = Number(refused.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        const deleted = await gateway.app.inject({
          method: 'DELETE',
          url: '/api/ai-agents/my-agents/00000000-0000-4000-8000-000000000000',
          headers: as(user.key),
        });
        expect(deleted.statusCode).toBe(429);
        // Another user has a budget of their own.
        const neighbour = await gateway.createUser();
        expect((await putAgent(replica, neighbour.key, `${own.url}/v1`)).statusCode).toBe(200);
      } finally {
        await replica.close();
      }
    });

    it('lets at most 3 key tests a minute reach the provider', async () => {
      own.reset();
      const user = await gateway.createUser();
      const { id } = (await putAgent(gateway, user.key, `${own.url}/v1`)).json<{ id: string }>();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1)
        statuses.push((await testAgent(user.key, id)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(own.requests).toHaveLength(3);
    });
  });

  it('names own-key providers by the whole agent id: keys sharing a prefix keep their own breakers', async () => {
    own.reset();
    other.reset();
    const first = await gateway.createUser();
    const second = await gateway.createUser();
    const putFirst = await putAgent(gateway, first.key, `${own.url}/v1`, 'sk-own-revoked-0001');
    const putSecond = await putAgent(gateway, second.key, `${other.url}/v1`, 'sk-own-working-0002');
    // Two agent ids with the same first 8 hex characters, as happens at scale.
    const ids = ['abcdef01-0000-4000-8000-000000000001', 'abcdef01-0000-4000-8000-000000000002'] as const;
    for (const [user, put, id] of [
      [first, putFirst, ids[0]],
      [second, putSecond, ids[1]],
    ] as const) {
      await withUser(gateway.databases.userdata, user.id, (transaction) =>
        transaction
          .update(userAiAgents)
          .set({ id })
          .where(eq(userAiAgents.id, put.json<{ id: string }>().id)),
      );
      await gateway.app.userRouting.invalidate(user.id);
    }
    const chat = (key: string) =>
      gateway.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: as(key),
        payload: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
      });

    // The first user's key is revoked upstream: its breaker opens and the server's key answers.
    own.setFaults([{ type: 'auth' }]);
    expect((await chat(first.key)).headers['x-gateway-provider']).toBe('openai');
    const answered = await chat(second.key);
    expect(answered.statusCode).toBe(200);
    expect(answered.headers['x-gateway-provider']).toBe(`openai:own-${ids[1]}`);
    expect(other.requests).toHaveLength(1);

    // Metrics still fold every own key into one bounded label.
    const metrics = (await gateway.app.inject('/metrics')).body;
    expect(metrics).toContain('provider="openai:own"');
    expect(metrics).not.toContain(ids[1]);
  });
});
