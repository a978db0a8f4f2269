/**
 * Runs the bench's local website and LLM simulator in their own process, so the measured worker process
 * does not also pay for serving them. Prints `{ siteUrl, llmUrl }` as one JSON line, then serves until killed.
 */
import { startOpenAISimulator } from '@switchyard/llm/testing';
import { analysisAnswer } from '../test/simulators/llm-answers.js';
import { startWebsiteServer } from '../test/simulators/website-server.js';

const site = await startWebsiteServer();
const simulator = await startOpenAISimulator({ answer: analysisAnswer, record: false });
process.stdout.write(`${JSON.stringify({ siteUrl: site.url, llmUrl: simulator.url })}\n`);
process.on('SIGTERM', () => {
  void Promise.all([site.close(), simulator.close()]).then(() => process.exit(0));
});
