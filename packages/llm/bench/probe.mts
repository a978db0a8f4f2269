import { createLlmClient } from '../src/client.js';
import { drain, request, startFleet } from '../test/helpers.js';
const fleet = await startFleet(2);
const client = createLlmClient({ providers: fleet.providers, defaultChain: fleet.chain, deadlineMs: 3000 });
for (const mode of ['chat', 'stream', 'chat', 'stream']) {
  const t = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let j = 0; j < 50; j++) {
      if (mode === 'chat') await client.chat(request()); else { const r = await drain(client.chatStream(request())); if (r.error) throw r.error; }
    }
  }));
  console.log(mode, 800 / ((Date.now() - t) / 1000));
}
await fleet.close();
