/**
 * Bench child process: the primary and secondary OpenAI simulators, in their own process so they neither
 * steal the event loop of the process under test nor count against its open files. Prints one JSON line with
 * their URLs; accepts `{ target, faults }` messages over IPC to script faults.
 */
import { startOpenAISimulator, type Fault } from '@switchyard/llm/testing';

const simulators = {
  primary: await startOpenAISimulator({ record: false }),
  secondary: await startOpenAISimulator({ record: false }),
};
process.stdout.write(
  `${JSON.stringify({ primary: simulators.primary.url, secondary: simulators.secondary.url })}\n`,
);
process.on('message', (message: { target: keyof typeof simulators; faults: Fault[] }) => {
  simulators[message.target].setFaults(message.faults);
  process.send?.({ ok: true });
});
process.on(
  'SIGTERM',
  () =>
    void Promise.all(Object.values(simulators).map((simulator) => simulator.close())).then(() =>
      process.exit(0),
    ),
);
