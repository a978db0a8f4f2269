import { describe, expect, it } from 'vitest';
import { parsePage } from './parse-page.js';

describe('parsePage', () => {
  it('extracts what the analysis keeps, ignoring script text and fragment links', () => {
    const facts = parsePage(
      `<html><head><title> Hello  World </title><meta name="Description" content="About us">
       <link rel="canonical" href="https://a.example/"><meta name="robots" content="noindex">
       <meta property="og:image" content="https://a.example/x.png"><script>var secret = 1</script></head>
       <body><h1>One</h1><h2>Two</h2><h2>  </h2><p>three four five</p>
       <a href="/in">in</a><a href="https://b.example/">out</a><a href="#x">skip</a><a href="mailto:a@b.c">mail</a></body></html>`,
      'https://a.example/page',
    );
    expect(facts).toMatchObject({
      title: 'Hello World',
      metaDescription: 'About us',
      canonical: 'https://a.example/',
      robots: 'noindex',
      openGraph: { image: 'https://a.example/x.png' },
      headings: { h1: ['One'], h2: ['Two'], h3: [] },
      links: { internal: 1, external: 1, total: 2 },
    });
    expect(facts.textSample).not.toContain('secret');
    expect(facts.wordCount).toBe(9);
  });

  it('survives broken markup and missing fields', () => {
    const facts = parsePage('<p>unclosed <b>bold', 'https://a.example/');
    expect(facts).toMatchObject({
      title: undefined,
      metaDescription: undefined,
      wordCount: 2,
      links: { total: 0 },
    });
  });

  it('reads text in document order and leaves out what a reader never sees', () => {
    const facts = parsePage(
      `<html><head><title>Shop</title></head><body>
       <svg><title>icon</title></svg><noscript><h1>Enable JavaScript</h1></noscript>
       <h1>Big <style>.x{}</style>sale</h1><p>first <b>second</b> third</p><template><p>hidden</p></template></body></html>`,
      'https://a.example/',
    );
    expect(facts).toMatchObject({
      title: 'Shop',
      headings: { h1: ['Big sale'] },
      textSample: 'Big sale first second third',
      wordCount: 5,
    });
  });
});
