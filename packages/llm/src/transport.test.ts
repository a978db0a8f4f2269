import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPooledFetch } from './transport.js';

const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('pooled fetch', () => {
  it('refuses a redirect instead of resending the key headers to another host', async () => {
    const reached: string[] = [];
    const elsewhere = await listen((request, response) => {
      reached.push(String(request.headers['x-api-key']));
      response.end('{}');
    });
    const provider = await listen((_request, response) => {
      response.writeHead(307, { location: `${elsewhere}/v1/messages` }).end();
    });
    const fetch = createPooledFetch({ connections: 2, timeouts: { connectMs: 1_000 } });
    try {
      await expect(
        fetch(`${provider}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': 'sk-secret' },
          body: '{}',
        }),
      ).rejects.toThrow();
      expect(reached).toEqual([]);
      // A plain answer still goes through.
      expect((await fetch(`${elsewhere}/ok`)).status).toBe(200);
    } finally {
      await fetch.close();
    }
  });
});
