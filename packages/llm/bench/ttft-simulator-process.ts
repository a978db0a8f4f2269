import { startOpenAISimulator, type Fault } from '../src/testing/index.js';

// The simulators of the time-to-first-token bench, in their own process so the upstreams' timers and sockets never
// share the measured event loop. Latencies model the chain: a primary like OpenAI far away (first token in
// 300-500 ms) and a fallback like Groq (30-60 ms). Reports the URLs over IPC; exits when the parent disconnects.
const healthy: Fault = { type: 'slow_first_token', delayMs: 300, jitterMs: 200 };
const primaries = {
  healthy: [healthy],
  hung: [{ type: 'no_response' }],
  // 3 s in 20 % of calls (drawn from a seeded generator, so every run draws the same), otherwise healthy.
  sometimesSlow: [{ type: 'slow_first_token', delayMs: 3_000, probability: 0.2 }, healthy],
} satisfies Record<string, Fault[]>;

const started = await Promise.all(
  Object.entries(primaries).map(async ([name, faults]) => {
    const simulator = await startOpenAISimulator({ record: false, faults, seed: 7 });
    return [name, simulator] as const;
  }),
);
const fallback = await startOpenAISimulator({
  record: false,
  faults: [{ type: 'slow_first_token', delayMs: 30, jitterMs: 30 }],
});
const simulators = [...started.map(([, simulator]) => simulator), fallback];
process.send?.({
  primaries: Object.fromEntries(started.map(([name, simulator]) => [name, simulator.url])),
  fallback: fallback.url,
});
process.once('disconnect', () => {
  void Promise.all(simulators.map((simulator) => simulator.close())).then(() => process.exit(0));
});
