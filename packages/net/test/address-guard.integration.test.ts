import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockedDestinationError,
  createGuardedLookup,
  forbiddenRange,
  type HostResolver,
} from '../src/index.js';

/** A resolver that answers each name from a script, one answer per call (the last one repeats), like a TTL-0 name. */
function scriptedResolver(answers: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve: HostResolver = (hostname) => {
    calls.push(hostname);
    const script = answers[hostname];
    if (!script)
      return Promise.reject(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const address = script.length > 1 ? script.shift()! : script[0]!;
    const entry: LookupAddress = { address, family: address.includes(':') ? 6 : 4 };
    return Promise.resolve([entry]);
  };
  return { resolve, calls };
}

describe('forbiddenRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['192.168.0.7', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['not-an-ip', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '2606:4700:4700::1111'])('%s is public', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
});

describe('guarded lookup on an undici pool (connect time)', () => {
  // Plays an internal service on loopback: it must never see a connection from a guarded pool.
  let internal: Server;
  let port: number;
  let connections = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    internal = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\ninternal');
    });
    internal.listen(0, '127.0.0.1');
    await once(internal, 'listening');
    port = (internal.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    internal.close();
    await once(internal, 'close');
  });

  async function fetchThrough(lookup: ReturnType<typeof createGuardedLookup>, host: string) {
    const agent = new Agent({ connect: { lookup } });
    try {
      const response = await request(`http://${host}:${port}/`, { dispatcher: agent });
      return await response.body.text();
    } finally {
      await agent.close();
    }
  }

  it.each([
    ['loopback', '127.0.0.1', /127\.0\.0\.1 is a loopback address/],
    ['the cloud metadata address', '169.254.169.254', /169\.254\.169\.254 is a linkLocal address/],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', /is a loopback address/],
  ])(
    'refuses a name that was public when checked and is %s at connect time; nothing reaches the listener',
    async (_label, rebound, message) => {
      connections = 0;
      const dns = scriptedResolver({ 'rebind.test': ['93.184.216.34', rebound] });
      // The check a caller makes before the request: the name looks public.
      expect(forbiddenRange((await dns.resolve('rebind.test'))[0]!.address)).toBeUndefined();
      const lookup = createGuardedLookup({ allowlist: [], resolve: dns.resolve });
      const failure = await fetchThrough(lookup, 'rebind.test').catch((error: unknown) => error);
      const cause = (failure as { cause?: unknown }).cause ?? failure;
      expect(cause).toBeInstanceOf(BlockedDestinationError);
      expect((cause as Error).message).toMatch(message);
      expect(connections).toBe(0);
      // Resolved once for the check and once by the connection: the socket used the address it checked.
      expect(dns.calls).toEqual(['rebind.test', 'rebind.test']);
    },
  );

  it('connects an allowlisted name to the address it resolved to', async () => {
    connections = 0;
    const dns = scriptedResolver({ 'simulator.test': ['127.0.0.1'] });
    const lookup = createGuardedLookup({ allowlist: ['Simulator.Test'], resolve: dns.resolve });
    expect(await fetchThrough(lookup, 'simulator.test')).toBe('internal');
    expect(connections).toBe(1);
  });

  it('passes the resolver error on for a name that does not resolve', async () => {
    const lookup = createGuardedLookup({ allowlist: [], resolve: scriptedResolver({}).resolve });
    const failure = await fetchThrough(lookup, 'missing.test').catch((error: unknown) => error);
    expect(JSON.stringify((failure as { cause?: unknown }).cause ?? failure)).toContain('ENOTFOUND');
  });
});
