import { describe, expect, it } from 'vitest';
import { createLlmClient } from '../src/client.js';
import { AllProvidersFailedError, LlmError, StreamInterruptedError } from '../src/errors.js';
import type { Fault } from '../src/testing/index.js';
import { drain, expectedText, request, startFleet } from './helpers.js';

const totalRequests = 20_000;
const concurrency = 64;
const rotationSize = 1_000;

// Each block of requests runs under a different fault mix on the primary and an occasional one on the secondary.
const rotations: Array<[Fault[], Fault[]]> = [
  [[{ type: 'server_error', times: 200 }], []],
  [[{ type: 'cut_after_tokens', tokens: 3, times: 200 }], [{ type: 'overloaded', times: 20 }]],
  [[{ type: 'reset_before_headers', times: 200 }], []],
  [[{ type: 'in_band_error', afterTokens: 2, times: 200 }], [{ type: 'prefill_rejected', times: 20 }]],
  [[{ type: 'malformed_chunk', afterTokens: 1, times: 200 }], []],
  [[{ type: 'flapping', times: 400 }], [{ type: 'rate_limit', retryAfterSeconds: 1, times: 20 }]],
  [[{ type: 'stall_after_tokens', tokens: 2, times: 20 }], []],
  [[{ type: 'no_response', times: 20 }], [{ type: 'server_error', times: 10 }]],
  [[{ type: 'bad_request', times: 50 }], []],
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
  it(`survives ${totalRequests} mixed requests with faults without leaking`, { timeout: 240_000 }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const before = activeResources();

    // Generous timeouts: the soak checks leaks and outcomes, and shares a small CI machine with other suites.
    const fleet = await startFleet(3, { connections: concurrency, timeouts: { connectMs: 2_000, firstTokenMs: 3_000, idleMs: 2_000, totalMs: 6_000 } });
    const client = createLlmClient({
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 20_000,
      breaker: { cooldownMs: 20, failureThreshold: 3 },
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const outcomes = { complete: 0, wrong: 0, failedTyped: 0, failedUntyped: 0 };
    const warmupRequests = rotationSize * rotations.length;
    let rssAfterWarmup = 0;
    let heapAfterWarmup = 0;
    let next = 0;

    const one = async (index: number) => {
      const stream = index % 2 === 0;
      try {
        if (stream) {
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
        if (error instanceof AllProvidersFailedError || error instanceof StreamInterruptedError || error instanceof LlmError) outcomes.failedTyped += 1;
        else outcomes.failedUntyped += 1;
      }
    };

    const worker = async () => {
      while (next < totalRequests) {
        const index = next;
        next += 1;
        if (index % rotationSize === 0) {
          const [primary, secondary] = rotations[(index / rotationSize) % rotations.length]!;
          fleet.simulators[0]!.setFaults(primary);
          fleet.simulators[1]!.setFaults(secondary);
          fleet.simulators.forEach((simulator) => (simulator.requests.length = 0));
        }
        // Baseline after one full cycle of fault rotations: every path has run, pools and JIT are at steady state.
        if (index === warmupRequests) {
          collectGarbage();
          rssAfterWarmup = process.memoryUsage().rss;
          heapAfterWarmup = process.memoryUsage().heapUsed;
        }
        await one(index);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));

    collectGarbage();
    const rssGrowthMb = (process.memoryUsage().rss - rssAfterWarmup) / 1024 / 1024;
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapAfterWarmup) / 1024 / 1024;
    await fleet.close();

    expect(outcomes.complete + outcomes.wrong + outcomes.failedTyped + outcomes.failedUntyped).toBe(totalRequests);
    expect(outcomes.wrong).toBe(0);
    expect(outcomes.failedUntyped).toBe(0);
    // Only the caller's own bad requests may fail; every provider fault is absorbed by the chain.
    const badRequests = 50 * (totalRequests / rotationSize / rotations.length);
    expect(outcomes.failedTyped).toBe(badRequests);
    expect(rssGrowthMb, 'RSS growth in MB').toBeLessThan(30);
    expect(heapGrowthMb, 'heap growth in MB').toBeLessThan(10);
    await expect
      .poll(() => {
        const after = activeResources();
        return ['TCPSocketWrap', 'Timeout', 'TCPServerWrap'].filter((kind) => (after[kind] ?? 0) > (before[kind] ?? 0));
      })
      .toEqual([]);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
});
