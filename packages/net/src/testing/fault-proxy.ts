import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with traffic:
 * - `pass`: forwards both ways;
 * - `blackhole`: accepts connections and data but forwards nothing (a dropped network path: nothing is refused,
 *   nothing answers). Bytes held meanwhile are delivered in order when the path is back, as TCP retransmission
 *   would deliver them after a partition heals;
 * - `refuse`: stops listening and resets every open connection (the service is down: connections are refused).
 */
export type FaultMode = 'pass' | 'blackhole' | 'refuse';

interface Link {
  downstream: Socket;
  upstream: Socket | undefined;
  toUpstream: Buffer[];
  toDownstream: Buffer[];
}

/** A TCP proxy in front of `target` (host:port) whose behaviour a drill switches with `setMode`. */
export async function startFaultProxy(target: { host: string; port: number }) {
  let mode: FaultMode = 'pass';
  const links = new Set<Link>();

  function flush(link: Link): void {
    if (mode !== 'pass') return;
    if (!link.upstream) {
      openUpstream(link);
      return;
    }
    if (link.upstream.connecting) return;
    for (const chunk of link.toUpstream.splice(0)) link.upstream.write(chunk);
    for (const chunk of link.toDownstream.splice(0)) link.downstream.write(chunk);
  }

  function drop(link: Link): void {
    links.delete(link);
    link.downstream.destroy();
    link.upstream?.destroy();
  }

  function openUpstream(link: Link): void {
    const upstream = connect(target.port, target.host);
    link.upstream = upstream;
    upstream.on('connect', () => flush(link));
    upstream.on('data', (chunk: Buffer) => {
      link.toDownstream.push(chunk);
      flush(link);
    });
    upstream.on('error', () => undefined);
    upstream.on('close', () => drop(link));
  }

  function accept(downstream: Socket): void {
    const link: Link = { downstream, upstream: undefined, toUpstream: [], toDownstream: [] };
    links.add(link);
    downstream.on('data', (chunk: Buffer) => {
      link.toUpstream.push(chunk);
      flush(link);
    });
    downstream.on('error', () => undefined);
    downstream.on('close', () => drop(link));
    flush(link);
  }

  let server: Server = createServer(accept);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  async function listen(): Promise<void> {
    server = createServer(accept);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  }

  async function stopListening(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const link of links) {
      link.downstream.resetAndDestroy();
      link.upstream?.destroy();
    }
    links.clear();
    await closed;
  }

  return {
    port,
    /** `url` with its host and port replaced by the proxy's. */
    via(url: string): string {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    get mode(): FaultMode {
      return mode;
    },
    async setMode(next: FaultMode): Promise<void> {
      if (next === mode) return;
      const previous = mode;
      mode = next;
      if (next === 'refuse') await stopListening();
      else if (previous === 'refuse') await listen();
      for (const link of links) flush(link);
    },
    async close(): Promise<void> {
      mode = 'refuse';
      await stopListening();
    },
  };
}

/** A started fault proxy. */
export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>;
