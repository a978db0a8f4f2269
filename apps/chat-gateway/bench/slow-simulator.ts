import { startOpenAISimulator } from '@switchyard/llm/testing';

// Its own process, so 10,000 upstream sockets do not count against the benchmark client's file limit.
const answer = Array.from({ length: 60 }, (_, index) => `token${index}`).join(' ');
const simulator = await startOpenAISimulator({ tokenDelayMs: 100, record: false, answer: () => answer });
process.stdout.write(`${simulator.url}\n`);
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
