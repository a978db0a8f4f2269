import { createSecretBox, secretContext, sql, withUser } from '@switchyard/db';
import { userAiAgents } from '@switchyard/db/userdata';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

interface AgentView {
  id: string;
  provider: string;
  apiKeyHint: string | null;
}

const keyOf = (simulator: Simulator, index: number) => simulator.requests[index]?.headers.authorization;

describe('own provider keys: /api/ai-agents/my-agents, used first for their owner', () => {
  // `server` is the operator's OpenAI endpoint; `own` plays the endpoint a user's own key points at.
  let server: Simulator;
  let own: Simulator;
  let gateway: TestGateway;
  const ownKey = 'sk-own-user-key-7f3a9c21';

  beforeAll(async () => {
    [server, own] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-server-key',
      OPENAI_BASE_URL: `${server.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([server.close(), own.close()]);
  });
  beforeEach(() => {
    server.reset();
    own.reset();
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const chat = (key: string, content: string) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: as(key),
      payload: { model: 'auto', messages: [{ role: 'user', content }] },
    });
  const putAgent = (key: string, apiKey = ownKey) =>
    gateway.app.inject({
      method: 'PUT',
      url: '/api/ai-agents/my-agents',
      headers: as(key),
      payload: { provider: 'openai', apiKey, baseUrl: `${own.url}/v1`, model: 'gpt-4o' },
    });

  it('stores the key encrypted and never returns it, only its last 4 characters', async () => {
    const user = await gateway.createUser();
    const put = await putAgent(user.key);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      provider: 'openai',
      apiKeyHint: '9c21',
      enabled: true,
      model: 'gpt-4o',
    });
    expect(put.body).not.toContain(ownKey);
    const list = await gateway.app.inject({ url: '/api/ai-agents/my-agents', headers: as(user.key) });
    expect(list.json<{ agents: AgentView[] }>().agents).toEqual([
      expect.objectContaining({ provider: 'openai', apiKeyHint: '9c21' }),
    ]);
    expect(list.body).not.toContain(ownKey);
    // Read under the owner's row-level security, as the gateway does.
    const stored = await withUser(gateway.databases.userdata, user.id, (transaction) =>
      transaction.select({ encrypted: userAiAgents.encryptedApiKey }).from(userAiAgents),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.encrypted).not.toContain('7f3a9c21');
    // Another user sees none of it.
    const other = await gateway.createUser();
    expect(
      (await gateway.app.inject({ url: '/api/ai-agents/my-agents', headers: as(other.key) })).json(),
    ).toEqual({ agents: [] });
  });

  it('tests the key against the provider with the key itself', async () => {
    const user = await gateway.createUser();
    const { id } = (await putAgent(user.key)).json<AgentView>();
    const passed = await gateway.app.inject({
      method: 'POST',
      url: `/api/ai-agents/my-agents/${id}/test`,
      headers: as(user.key),
    });
    expect(passed.json()).toMatchObject({ ok: true, provider: 'openai', model: 'gpt-4o', error: null });
    expect(keyOf(own, 0)).toBe(`Bearer ${ownKey}`);

    own.setFaults([{ type: 'auth', times: 1 }]);
    const failed = await gateway.app.inject({
      method: 'POST',
      url: `/api/ai-agents/my-agents/${id}/test`,
      headers: as(user.key),
    });
    expect(failed.json()).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(failed.body).not.toContain(ownKey);
  });

  it("answers the owner's requests with the own key first, others' with the server key, and stops after DELETE", async () => {
    const owner = await gateway.createUser();
    const other = await gateway.createUser();
    const { id } = (await putAgent(owner.key)).json<AgentView>();

    const answered = await chat(owner.key, 'mine');
    expect(answered.statusCode).toBe(200);
    expect(answered.headers['x-gateway-provider']).toBe(`openai:own-${id}`);
    expect(answered.json()).toMatchObject({ model: 'gpt-4o' });
    expect(own.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${ownKey}`]);
    expect(server.requests).toHaveLength(0);

    expect((await chat(other.key, 'theirs')).headers['x-gateway-provider']).toBe('openai');
    expect(keyOf(server, 0)).toBe('Bearer sk-test-server-key');
    expect(own.requests).toHaveLength(1);

    const deleted = await gateway.app.inject({
      method: 'DELETE',
      url: `/api/ai-agents/my-agents/${id}`,
      headers: as(owner.key),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await chat(owner.key, 'after delete')).headers['x-gateway-provider']).toBe('openai');
    expect(own.requests).toHaveLength(1);
    expect(
      (
        await gateway.app.inject({
          method: 'DELETE',
          url: `/api/ai-agents/my-agents/${id}`,
          headers: as(owner.key),
        })
      ).statusCode,
    ).toBe(404);
  });

  it("falls back to the server's key when the own key is rejected, without opening the server key's breaker", async () => {
    const user = await gateway.createUser();
    const { id } = (await putAgent(user.key, 'sk-own-revoked-0000')).json<AgentView>();
    own.setFaults([{ type: 'auth' }]);

    const first = await chat(user.key, 'revoked key');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-gateway-provider']).toBe('openai');
    expect(keyOf(own, 0)).toBe('Bearer sk-own-revoked-0000');
    expect(keyOf(server, 0)).toBe('Bearer sk-test-server-key');

    // An auth failure opens the own key's breaker: the next request does not try it again.
    const second = await chat(user.key, 'again');
    expect(second.headers['x-gateway-provider']).toBe('openai');
    expect(own.requests).toHaveLength(1);
    const health = (
      await gateway.app.inject({
        url: '/api/providers/health',
        headers: { authorization: `Bearer ${user.key}` },
      })
    ).json<{
      providers: Array<{ provider: string; breaker: { state: string } }>;
    }>();
    expect(health.providers).toEqual([
      expect.objectContaining({
        provider: 'openai',
        breaker: expect.objectContaining({ state: 'closed' }) as unknown,
      }),
    ]);

    await gateway.app.recorders.fallbacks.flush();
    const events = await gateway.databases.platform.db.execute<{
      from_provider: string;
      to_provider: string;
      error_kind: string;
    }>(
      sql`select from_provider, to_provider, error_kind from provider_fallback_events where user_id = ${user.id} order by created_at`,
    );
    expect(events.rows[0]).toEqual({
      from_provider: `openai:own-${id}`,
      to_provider: 'openai',
      error_kind: 'auth',
    });
  });

  describe('refuses an own key whose baseUrl is not a public endpoint (SSRF)', () => {
    it.each([
      ['http://localhost:8080/v1', 'loopback'],
      ['http://10.0.0.5/v1', 'private'],
      ['http://192.168.1.20:11434/v1', 'private'],
      ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
      ['http://[::1]:9000/v1', 'loopback'],
      ['http://[::ffff:10.0.0.5]/v1', 'private'],
    ])('%s: 400 naming `baseUrl` and the %s range, nothing stored', async (baseUrl, range) => {
      const user = await gateway.createUser();
      const put = await gateway.app.inject({
        method: 'PUT',
        url: '/api/ai-agents/my-agents',
        headers: as(user.key),
        payload: { provider: 'openai-compatible', apiKey: ownKey, baseUrl },
      });
      expect(put.statusCode).toBe(400);
      expect(put.json()).toMatchObject({
        error: { code: 'invalid_value', param: 'baseUrl', type: 'invalid_request_error' },
      });
      expect(put.json<{ error: { message: string } }>().error.message).toContain(range);
      expect(put.body).not.toContain(ownKey);
      expect(
        (await gateway.app.inject({ url: '/api/ai-agents/my-agents', headers: as(user.key) })).json(),
      ).toEqual({ agents: [] });
    });

    it('a key stored before the check, pointing inside the network, is neither tested nor used', async () => {
      const user = await gateway.createUser();
      const secretBox = createSecretBox(gateway.config.secrets.key);
      const [row] = await withUser(gateway.databases.userdata, user.id, (transaction) =>
        transaction
          .insert(userAiAgents)
          .values({
            userId: user.id,
            provider: 'openai',
            baseUrl: 'http://10.0.0.5/v1',
            encryptedApiKey: secretBox.encrypt(
              ownKey,
              secretContext('user_ai_agents', 'encrypted_api_key', user.id),
            ),
            apiKeyHint: '9c21',
            enabled: true,
          })
          .returning({ id: userAiAgents.id }),
      );
      const tested = await gateway.app.inject({
        method: 'POST',
        url: `/api/ai-agents/my-agents/${row!.id}/test`,
        headers: as(user.key),
      });
      expect(tested.statusCode).toBe(400);
      expect(tested.json()).toMatchObject({ error: { code: 'invalid_value', param: 'baseUrl' } });
      const answered = await chat(user.key, 'routed past the stored key');
      expect(answered.statusCode).toBe(200);
      expect(answered.headers['x-gateway-provider']).toBe('openai');
    });
  });
});
