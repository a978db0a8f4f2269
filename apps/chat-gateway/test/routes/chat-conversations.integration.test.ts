import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('native chat API (userdata database, row-level security)', () => {
  let gateway: TestGateway;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    // No provider key in a test environment: the built-in local provider answers.
    gateway = await createTestGateway();
    alice = `Bearer ${(await gateway.createUser()).key}`;
    bob = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(() => gateway.close());

  it('round-trips a conversation: messages stored with provider, model, tokens, and paginated history', async () => {
    const created = await gateway.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      headers: { authorization: alice },
      payload: { title: 'Trip' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();

    const first = await gateway.app.inject({
      method: 'POST',
      url: `/api/chat/conversations/${id}/messages`,
      headers: { authorization: alice },
      payload: { content: 'Plan a trip' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-gateway-provider']).toBe('local');
    expect(first.json().assistantMessage).toMatchObject({
      role: 'assistant',
      provider: 'local',
      model: 'local-echo-1',
      usedFallback: false,
    });
    expect(first.json().assistantMessage.content).toContain('You said: Plan a trip');
    expect(first.json().assistantMessage.completionTokens).toBeGreaterThan(0);

    const streamed = await gateway.app.inject({
      method: 'POST',
      url: `/api/chat/conversations/${id}/messages`,
      headers: { authorization: alice },
      payload: { content: 'And back', stream: true },
    });
    expect(streamed.headers['content-type']).toContain('text/event-stream');
    expect(streamed.body).toContain('"object":"conversation.message"');
    expect(streamed.body.trimEnd().endsWith('data: [DONE]')).toBe(true);

    type Page = { messages: Array<{ role: string; content: string }>; nextBefore: string };
    const page = (
      await gateway.app.inject({
        url: `/api/chat/conversations/${id}?limit=2`,
        headers: { authorization: alice },
      })
    ).json<Page>();
    expect(page.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(page.messages[0]?.content).toBe('And back');
    const older = (
      await gateway.app.inject({
        url: `/api/chat/conversations/${id}?limit=2&before=${encodeURIComponent(page.nextBefore)}`,
        headers: { authorization: alice },
      })
    ).json<Page>();
    expect(older.messages[0]?.content).toBe('Plan a trip');

    const list = (
      await gateway.app.inject({ url: '/api/chat/conversations', headers: { authorization: alice } })
    ).json<{ conversations: Array<{ id: string }> }>();
    expect(list.conversations.map((conversation) => conversation.id)).toContain(id);
  });

  it("hides one user's conversations from another (404, not 403)", async () => {
    const { id } = (
      await gateway.app.inject({
        method: 'POST',
        url: '/api/chat/conversations',
        headers: { authorization: alice },
        payload: {},
      })
    ).json<{ id: string }>();
    for (const request of [
      { method: 'GET' as const, url: `/api/chat/conversations/${id}` },
      { method: 'DELETE' as const, url: `/api/chat/conversations/${id}` },
      {
        method: 'POST' as const,
        url: `/api/chat/conversations/${id}/messages`,
        payload: { content: 'peek' },
      },
    ]) {
      const response = await gateway.app.inject({ ...request, headers: { authorization: bob } });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    const bobList = await gateway.app.inject({
      url: '/api/chat/conversations',
      headers: { authorization: bob },
    });
    expect(bobList.json().conversations).toEqual([]);
    expect(
      (
        await gateway.app.inject({
          method: 'DELETE',
          url: `/api/chat/conversations/${id}`,
          headers: { authorization: alice },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (await gateway.app.inject({ url: `/api/chat/conversations/${id}`, headers: { authorization: alice } }))
        .statusCode,
    ).toBe(404);
  });
});
