import { startLocalServer, type LocalServer } from './http-server.js';

/** The page every test site serves at `/`, with everything the parser extracts. */
export function samplePage(title = 'Acme Garden Tools'): string {
  return `<!doctype html><html><head>
<title>${title}</title>
<meta name="description" content="Hand-forged garden tools, made to last.">
<meta name="robots" content="index,follow">
<link rel="canonical" href="https://acme.example/">
<meta property="og:title" content="${title}"><meta property="og:type" content="website">
<script>var ignored = "not page text";</script>
</head><body>
<h1>Tools that last a lifetime</h1><h2>Spades</h2><h2>Rakes</h2><h3>Care guide</h3>
<p>We forge every spade by hand in our workshop. Our rakes are balanced for long days in the garden.</p>
<a href="/spades">Spades</a><a href="/rakes">Rakes</a><a href="https://elsewhere.example/">Partner</a><a href="#top">Top</a>
</body></html>`;
}

/** A small website: `/` a page, `/moved` a redirect home, `/to-private` and `/to-metadata` redirects inward, `/broken` a 500, `/huge` a 6 MB page. */
export function startWebsiteServer(): Promise<LocalServer & { setTitle(title: string): void }> {
  let title = 'Acme Garden Tools';
  return startLocalServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/' || path.startsWith('/?')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(samplePage(title));
    } else if (path === '/moved') {
      response.writeHead(301, { location: '/' });
      response.end();
    } else if (path === '/to-private') {
      response.writeHead(302, { location: 'http://10.0.0.5/admin' });
      response.end();
    } else if (path === '/to-metadata') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    } else if (path === '/loop') {
      response.writeHead(302, { location: '/loop' });
      response.end();
    } else if (path === '/broken') {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('boom');
    } else if (path === '/huge') {
      response.writeHead(200, { 'content-type': 'text/html' });
      const block = `<p>${'word '.repeat(200)}</p>`;
      for (let written = 0; written < 6 * 1024 * 1024; written += block.length) response.write(block);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  }).then((server) => Object.assign(server, { setTitle: (next: string) => void (title = next) }));
}
