import { startOpenAISimulator } from '../src/testing/index.js';

// The OpenAI simulators of the bench, in their own process so the upstream's work never shares the measured event loop.
// Reports `{ primary, fallback }` URLs over IPC and exits when the parent disconnects.
const primary = await startOpenAISimulator({ record: false, faults: [{ type: 'server_error' }] });
const fallback = await startOpenAISimulator({ record: false });
process.send?.({ primary: primary.url, fallback: fallback.url });
process.once('disconnect', () => {
  void Promise.all([primary.close(), fallback.close()]).then(() => process.exit(0));
});
