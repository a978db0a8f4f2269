import { describe, expect, it } from 'vitest';
import { createLlmClient } from '../src/client.js';
import { LlmError, StreamInterruptedError } from '../src/errors.js';
import type { Fault } from '../src/testing/index.js';
import { drain, expectedText, request, startFleet } from './helper.js';

const measuredRequests = 20_000;
// 4,000 per fault mix, so pools, JIT and the old space reach their plateau before the baseline. RSS is not the
// measure: V8 sizes its old space to the allocation rate and keeps the pages, and Node 24 grew RSS by 126 and 250 MB
// in CI runs with the heap flat (and by -40 to +25 MB in runs on an idle machine). Leaks are measured where they
// would live: the JS heap, and native memory held by JS objects (`external`: buffers, sockets' and bodies' bytes).
const warmupRequests = 4_000 * 10;
const concurrency = 64;

// Each block of requests runs under a different fault mix on the primary (p0) and the secondary (p1); the third
// provider (p2) only ever answers or (like a caller's real mistake would) rejects a bad request, so every provider
// fault has somewhere to go. p1 accepts a prefill, so a continuation that reaches it is rejected there
// (`prefill_rejected`) and moves on to p2.
const rotations: Array<[Fault[], Fault[], Fault[]?]> = [
  [[{ type: 'server_error', times: 200 }], []],
  [[{ type: 'cut_after_tokens', tokens: 3, times: 200 }], [{ type: 'overloaded', times: 20 }]],
  [[{ type: 'reset_before_headers', times: 200 }], []],
  [[{ type: 'in_band_error', afterTokens: 2, times: 200 }], [{ type: 'prefill_rejected', times: 20 }]],
  [[{ type: 'malformed_chunk', afterTokens: 1, times: 200 }], []],
  [[{ type: 'flapping', times: 400 }], [{ type: 'rate_limit', retryAfterSeconds: 1, times: 20 }]],
  // Few of the faults that hold a request until a timeout: each one parks a worker for seconds.
  [[{ type: 'stall_after_tokens', tokens: 2, times: 4 }], []],
  [[{ type: 'no_response', times: 4 }], [{ type: 'server_error', times: 10 }]],
  // On every provider: whichever one a request reaches first (p0 may be resting after the blocks before), it gets the 400.
  [
    [{ type: 'bad_request', times: 50 }],
    [{ type: 'bad_request', times: 50 }],
    [{ type: 'bad_request', times: 50 }],
  ],
  [[{ type: 'no_terminator', times: 200 }], []],
];

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function collectGarbage() {
  (globalThis as { gc?: () => void }).gc?.();
}

describe('soak', () => {
  it(
    `survives ${measuredRequests} mixed requests with faults without leaking`,
    { timeout: 600_000 },
    async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const before = activeResources();

      // The outcome must not depend on machine speed: CI runs every package's suite at once on 2 cores. With tight
      // timeouts a busy event loop made the healthy p2 time out too, its breaker opened while p0's and p1's were open,
      // and from then on every request failed in microseconds (all providers skipped), burning through the run.
      // So: timeouts far above any scheduling delay (only the stall and no-response faults ever reach them) and a
      // deadline that covers a worst-case chain.
      const timeouts = { connectMs: 5_000, firstTokenMs: 5_000, idleMs: 3_000, totalMs: 10_000 };
      const fleet = await startFleet(3, {
        connections: concurrency,
        timeouts,
        supportsPrefill: [false, true, false],
      });
      // Attempts our own timers ended: on a loaded machine a 400 can arrive just after one, unseen by the caller.
      let timedOutAttempts = 0;
      const client = createLlmClient({
        hooks: {
          onAttempt: (event) => {
            if (event.errorKind === 'timeout') timedOutAttempts += 1;
          },
        },
        providers: fleet.providers,
        defaultChain: fleet.chain,
        deadlineMs: 120_000,
        breaker: { cooldownMs: 20, failureThreshold: 3 },
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 },
      });

      const run = async (count: number, blockSize: number) => {
        const outcomes = {
          complete: 0,
          wrong: 0,
          badRequest: 0,
          continuationRefused: 0,
          failedOtherwise: [] as string[],
        };
        const one = async (index: number) => {
          try {
            if (index % 2 === 0) {
              const { text, error } = await drain(client.chatStream(request()));
              if (error) throw error as Error;
              if (text === expectedText) outcomes.complete += 1;
              else outcomes.wrong += 1;
            } else {
              const result = await client.chat(request());
              if (result.completion.choices[0]?.message.content === expectedText) outcomes.complete += 1;
              else outcomes.wrong += 1;
            }
          } catch (error) {
            if (error instanceof LlmError && error.kind === 'bad_request' && error.status === 400)
              outcomes.badRequest += 1;
            // A stream that stalled in an earlier block is continued seconds later, possibly once the rotation reached
            // the bad_request block, where every provider refuses the continuation: rule 3 of the streaming contract
            // ends it with an explicit error (never a truncated answer passed off as complete).
            else if (error instanceof StreamInterruptedError && error.lastError.kind === 'bad_request')
              outcomes.continuationRefused += 1;
            else
              outcomes.failedOtherwise.push(
                error instanceof Error ? `${error.name}: ${error.message}` : String(error),
              );
          }
        };
        let next = 0;
        const worker = async () => {
          while (next < count) {
            const index = next;
            next += 1;
            if (index % blockSize === 0) {
              const rotation = rotations[(index / blockSize) % rotations.length]!;
              fleet.simulators.forEach((simulator, provider) =>
                simulator.setFaults(rotation[provider] ?? []),
              );
              fleet.simulators.forEach((simulator) => (simulator.requests.length = 0));
            }
            await one(index);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return outcomes;
      };

      // Warm-up: one pass through every fault mix, in blocks of the same size as the measured run, so pools, JIT and
      // the allocator reach the peak the measured run will have; then the baseline, taken like the final figure:
      // every request settled, after a full GC.
      const blockSize = 200;
      await run(warmupRequests, blockSize);
      collectGarbage();
      const externalBefore = process.memoryUsage().external;
      const heapBefore = process.memoryUsage().heapUsed;
      const badRequestsServed = () =>
        fleet.simulators.reduce((total, simulator) => total + simulator.faultsServed('bad_request'), 0);
      const badRequestsBefore = badRequestsServed();
      timedOutAttempts = 0;
      const outcomes = await run(measuredRequests, blockSize);
      const badRequestsSent = badRequestsServed() - badRequestsBefore;
      collectGarbage();
      const externalGrowthMb = (process.memoryUsage().external - externalBefore) / 1024 / 1024;
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      await fleet.close();

      expect(
        outcomes.complete +
          outcomes.wrong +
          outcomes.badRequest +
          outcomes.continuationRefused +
          outcomes.failedOtherwise.length,
      ).toBe(measuredRequests);
      expect(outcomes.wrong).toBe(0);
      // Every provider fault is absorbed by the chain; only the caller's own bad requests fail, each at once with its 400
      // (a refused continuation took one or two of the 400s: from the secondary and the third provider).
      expect(outcomes.failedOtherwise.slice(0, 5)).toEqual([]);
      expect(outcomes.badRequest + outcomes.continuationRefused).toBeLessThanOrEqual(badRequestsSent);
      expect(outcomes.badRequest).toBeGreaterThanOrEqual(
        badRequestsSent - 2 * outcomes.continuationRefused - timedOutAttempts,
      );
      expect(badRequestsSent).toBeGreaterThan(0);
      // A kilobyte kept per request would be 20 MB here.
      expect(externalGrowthMb, 'native memory growth in MB over the measured requests').toBeLessThan(15);
      expect(heapGrowthMb, 'heap growth in MB over the measured requests').toBeLessThan(10);
      await expect
        .poll(() => {
          const after = activeResources();
          return ['TCPSocketWrap', 'Timeout', 'TCPServerWrap'].filter(
            (kind) => (after[kind] ?? 0) > (before[kind] ?? 0),
          );
        })
        .toEqual([]);
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled).toEqual([]);
    },
  );
});
