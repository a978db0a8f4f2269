import { startOpenAISimulator } from '@switchyard/llm/testing';

// Its own process, so 10,000 upstream sockets do not count against the benchmark client's file limit.
const answer = Array.from({ length: 60 }, (_, index) => `token${index}`).join(' ');
// argv[2]: delay of the first token, so the bench can have every stream open before any finishes.
const firstTokenDelayMs = Number(process.argv[2] ?? 0);
const faults =
  firstTokenDelayMs > 0 ? [{ type: 'slow_first_token' as const, delayMs: firstTokenDelayMs }] : [];
const simulator = await startOpenAISimulator({
  tokenDelayMs: 100,
  record: false,
  answer: () => answer,
  faults,
});
process.stdout.write(`${simulator.url}\n`);
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
