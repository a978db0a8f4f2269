/**
 * Bench child process: the load generator, alone in its process so its CPU and sockets do not distort what it
 * measures. `load.ts autocannon <json options>` prints autocannon's summary as JSON; `load.ts streams <json>`
 * holds N concurrent streams and prints completed/failed counts and the gaps between content chunks.
 */
import http from 'node:http';
import autocannon from 'autocannon';

const [mode, raw] = process.argv.slice(2);
const nonEmptyContent = /"content":"[^"]/;
// Longer than the slow simulator's first token (30 s), during which the gateway sends heartbeats and the direct
// simulator sends nothing.
const idleTimeoutMs = 60_000;
const options = JSON.parse(raw ?? '{}') as Record<string, unknown>;

/**
 * Holds `count` concurrent streams, spread round-robin over `urls` (replicas of one service), and measures the gap
 * between content chunks as the client sees it. Streams open at an even pace over `rampMs` (inside the slow first
 * token): a burst of thousands of SYNs overflows the listen backlog of the server under test, and with SYN cookies
 * the kernel then answers the client's first data with a reset, which measures TCP instead of the gateway.
 */
async function holdStreams(
  urls: string[],
  headers: Record<string, string>,
  count: number,
  body: string,
  rampMs: number,
) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const gaps: number[] = [];
  const failures: Record<string, number> = {};
  let completed = 0;
  let failed = 0;
  let open = 0;
  let peakOpen = 0;
  const fail = (reason: string) => {
    failed += 1;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const one = (url: string) =>
    new Promise<void>((resolve) => {
      const request = http.request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json' } },
        (response) => {
          open += 1;
          peakOpen = Math.max(peakOpen, open);
          let last = 0;
          response.on('data', (chunk: Buffer) => {
            const now = performance.now();
            // Only text tokens count: the direct stream's opening role chunk carries `"content":""`.
            if (!nonEmptyContent.test(chunk.toString('utf8'))) return;
            if (last > 0) gaps.push(now - last);
            last = now;
          });
          response.on('end', () => {
            open -= 1;
            if (response.statusCode === 200) completed += 1;
            else fail(`status ${response.statusCode}`);
            resolve();
          });
          response.on('error', (error: NodeJS.ErrnoException) => {
            open -= 1;
            fail(error.code ?? error.message);
            resolve();
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.code ?? error.message);
        resolve();
      });
      // A connection the server never accepted (dropped from a full backlog) would otherwise hang the run forever.
      request.setTimeout(idleTimeoutMs, () =>
        request.destroy(Object.assign(new Error('idle timeout'), { code: 'IDLE_TIMEOUT' })),
      );
      request.end(body);
    });
  const startedAt = performance.now();
  const tickMs = 50;
  const batch = Math.max(1, Math.ceil((count * tickMs) / rampMs));
  const pending: Array<Promise<void>> = [];
  for (let started = 0; started < count; started += batch) {
    for (let index = started; index < Math.min(count, started + batch); index += 1)
      pending.push(one(urls[index % urls.length]!));
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.all(pending);
  agent.destroy();
  gaps.sort((left, right) => left - right);
  const at = (fraction: number) =>
    gaps[Math.min(gaps.length - 1, Math.floor(fraction * gaps.length))] ?? Number.NaN;
  return {
    completed,
    failed,
    failures,
    peakOpen,
    seconds: (performance.now() - startedAt) / 1000,
    gapP50: at(0.5),
    gapP99: at(0.99),
  };
}

if (mode === 'autocannon') {
  const result = await autocannon(options as unknown as Parameters<typeof autocannon>[0]);
  process.stdout.write(
    `${JSON.stringify({ requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts })}\n`,
  );
} else {
  const {
    urls,
    headers,
    count,
    body,
    rampMs = 20_000,
  } = options as {
    urls: string[];
    headers: Record<string, string>;
    count: number;
    body: string;
    rampMs?: number;
  };
  process.stdout.write(`${JSON.stringify(await holdStreams(urls, headers, count, body, rampMs))}\n`);
}
