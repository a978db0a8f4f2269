import { load } from 'cheerio';

/** What the analysis keeps of a page's HTML. */
export interface PageFacts {
  title: string | undefined;
  metaDescription: string | undefined;
  headings: { h1: string[]; h2: string[]; h3: string[] };
  canonical: string | undefined;
  robots: string | undefined;
  openGraph: Record<string, string>;
  links: { internal: number; external: number; total: number };
  wordCount: number;
  textSample: string;
}

const textSampleLength = 2_000;
const headingsKept = 20;

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function optional(text: string | undefined): string | undefined {
  const cleaned = text === undefined ? '' : clean(text);
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Parses a page with a real HTML parser (cheerio), tolerant of broken markup. */
export function parsePage(html: string, pageUrl: string): PageFacts {
  // htmlparser2 in HTML mode: about 4x faster than cheerio's default parse5, and the facts taken here do not
  // need parse5's spec tree repair (implied <head>/<body>); missing ones fall back below.
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const headings = (tag: string) =>
    $(tag)
      .map((_index, element) => clean($(element).text()))
      .get()
      .filter((text) => text.length > 0)
      .slice(0, headingsKept);

  const openGraph: Record<string, string> = {};
  $('meta[property^="og:"]').each((_index, element) => {
    const property = $(element).attr('property');
    const content = $(element).attr('content');
    if (property !== undefined && content !== undefined) openGraph[property.slice(3)] = clean(content);
  });

  const origin = new URL(pageUrl);
  let internal = 0;
  let external = 0;
  $('a[href]').each((_index, element) => {
    const href = $(element).attr('href') ?? '';
    if (href.startsWith('#') || href.startsWith('javascript:') || href.startsWith('mailto:') || href.startsWith('tel:')) return;
    try {
      if (new URL(href, origin).hostname === origin.hostname) internal += 1;
      else external += 1;
    } catch {
      // An unparseable href is not a link anyone can follow.
    }
  });

  $('script, style, noscript, template, svg').remove();
  // Text nodes joined with spaces: `.text()` would glue "<h1>One</h1><p>Two" into one word.
  const scope = $('body').length > 0 ? 'body, body *' : '*';
  const text = clean(
    $(scope)
      .contents()
      .filter((_index, node) => node.nodeType === 3)
      .map((_index, node) => $(node).text())
      .get()
      .join(' '),
  );
  const words = text.length > 0 ? text.split(' ').length : 0;

  return {
    title: optional($('head > title').first().text() || $('title').first().text()),
    metaDescription: optional($('meta[name="description" i]').attr('content')),
    headings: { h1: headings('h1'), h2: headings('h2'), h3: headings('h3') },
    canonical: optional($('link[rel="canonical" i]').attr('href')),
    robots: optional($('meta[name="robots" i]').attr('content')),
    openGraph,
    links: { internal, external, total: internal + external },
    wordCount: words,
    textSample: text.slice(0, textSampleLength),
  };
}
