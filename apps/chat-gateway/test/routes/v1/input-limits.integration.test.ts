import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../../helper.js';

const message = { role: 'user', content: 'hi' };
const tool = (index: number) => ({ type: 'function', function: { name: `tool_${index}`, parameters: {} } });

function nested(levels: number): unknown {
  let value: unknown = { text: 'leaf' };
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
}

describe('input limits on the chat routes', () => {
  let gateway: TestGateway;
  let authorization: string;
  beforeAll(async () => {
    // `metadata` carries the deep JSON below; the deployment passes it through (unknown fields are refused).
    gateway = await createTestGateway({ LLM_PASSTHROUGH_PARAMS: 'metadata' });
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(() => gateway.close());

  const chat = (payload: Record<string, unknown>) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization },
      payload: { model: 'auto', messages: [message], ...payload },
    });

  async function expectRejected(payload: Record<string, unknown>, param: string) {
    const response = await chat(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'invalid_value', param },
    });
    return response.json<{ error: { message: string } }>().error.message;
  }

  it('takes 2,048 messages and refuses 2,049 naming `messages`', async () => {
    expect((await chat({ messages: Array.from({ length: 2_048 }, () => message) })).statusCode).toBe(200);
    const text = await expectRejected({ messages: Array.from({ length: 2_049 }, () => message) }, 'messages');
    expect(text).toContain('2048');
  });

  it('refuses 129 tools naming `tools`', async () => {
    await expectRejected({ tools: Array.from({ length: 129 }, (_, index) => tool(index)) }, 'tools');
  });

  it.each([
    ['model', { model: 'm'.repeat(257) }],
    ['user', { user: 'u'.repeat(257) }],
    ['messages[0].name', { messages: [{ ...message, name: 'n'.repeat(257) }] }],
    ['tools[0].function.name', { tools: [{ type: 'function', function: { name: 'f'.repeat(257) } }] }],
  ])('refuses `%s` longer than 256 characters', async (param, payload) => {
    await expectRejected(payload, param);
  });

  it('accepts JSON nested 64 deep and refuses 65 naming the field where it goes too deep', async () => {
    // The body is level 1, `metadata` level 2: 62 arrays and the innermost object bring it to 64.
    const atLimit = await chat({ metadata: nested(62) });
    expect(atLimit.statusCode).toBe(200);
    const param = `metadata${'[0]'.repeat(63)}`;
    const text = await expectRejected({ metadata: nested(63) }, param);
    expect(text).toContain('64');
  });

  it('applies the same limits on conversation messages', async () => {
    const created = await gateway.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      headers: { authorization },
      payload: {},
    });
    const { id } = created.json<{ id: string }>();
    const send = (payload: Record<string, unknown>) =>
      gateway.app.inject({
        method: 'POST',
        url: `/api/chat/conversations/${id}/messages`,
        headers: { authorization },
        payload: { content: 'hi', ...payload },
      });
    const longModel = await send({ model: 'm'.repeat(257) });
    expect(longModel.statusCode).toBe(400);
    expect(longModel.json()).toMatchObject({ error: { code: 'invalid_value', param: 'model' } });
    const deep = await send({ extra: nested(63) });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({
      error: { code: 'invalid_value', param: `extra${'[0]'.repeat(63)}` },
    });
  });
});
