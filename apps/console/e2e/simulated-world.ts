import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParsedCall } from '@switchyard/llm/testing';

/**
 * The monitored website: a small shop whose headline changes on every visit, so a second analysis has something
 * to report under "what changed".
 */
export async function startWebsite(): Promise<{ url: string; close(): Promise<void> }> {
  let visits = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/' && !request.url?.startsWith('/?')) {
      response.writeHead(404).end();
      return;
    }
    visits += 1;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html><head>
<title>Acme Garden Tools (edition ${visits})</title>
<meta name="description" content="Hand-forged garden tools, made to last.">
<link rel="canonical" href="https://acme.example/">
</head><body>
<h1>Tools that last a lifetime, edition ${visits}</h1><h2>Spades</h2><h2>Rakes</h2>
<p>We forge every spade by hand in our workshop. Our rakes are balanced for long days in the garden.</p>
<a href="/spades">Spades</a><a href="/rakes">Rakes</a>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What a simulated model answers: the worker's three website analyses get the JSON they ask for (as a
 * well-behaved model would); anything else, a chat, gets a sentence naming the simulator, so a person reading the
 * playground can tell who answered.
 */
export function simulatedAnswer(simulatorName: string) {
  return (call: ParsedCall): string => {
    const prompt = call.prompt;
    if (prompt.includes('writing style'))
      return JSON.stringify({
        tone: 'warm',
        formality: 'informal',
        audience: 'home gardeners',
        readingLevel: 'general',
        summary: 'Friendly craft-focused copy.',
      });
    if (prompt.includes('content patterns'))
      return JSON.stringify({
        topics: ['garden tools'],
        formats: ['product pages'],
        recurringThemes: ['craftsmanship'],
      });
    if (prompt.includes('style guidelines'))
      return JSON.stringify({ guidelines: ['Speak plainly'], avoid: ['jargon'] });
    return `Hello from the ${simulatorName} simulator. You asked: ${prompt.slice(0, 80)}`;
  };
}
