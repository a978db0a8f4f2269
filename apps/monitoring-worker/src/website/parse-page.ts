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
/** Elements whose content is not page text a reader sees. */
const hiddenElements = new Set(['script', 'style', 'noscript', 'template', 'svg']);
const headingLevels = new Set(['h1', 'h2', 'h3']);

/**
 * The slice of a domhandler node this module reads. cheerio hands out domhandler's tree; its types live in a
 * package we do not depend on directly, so this names the fields used.
 */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  parent?: DomNode | null;
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function optional(text: string | undefined): string | undefined {
  const cleaned = text === undefined ? '' : clean(text);
  return cleaned.length > 0 ? cleaned : undefined;
}

function isHidden(node: DomNode): boolean {
  return node.name !== undefined && hiddenElements.has(node.name);
}

/**
 * Visits `root` and its descendants in document order. `enter` gets the context its parent handed down and
 * returns the context for its children, or `undefined` to skip them.
 * Iterative: a hostile page nested a million levels deep must not overflow the stack.
 */
function walk<Context>(
  root: DomNode,
  context: Context,
  enter: (node: DomNode, context: Context) => Context | undefined,
): void {
  const pending: Array<[DomNode, Context]> = [[root, context]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, parentContext] = next;
    const childContext = enter(node, parentContext);
    const children = node.children;
    if (childContext === undefined || children === undefined) continue;
    for (let index = children.length - 1; index >= 0; index -= 1)
      pending.push([children[index] as DomNode, childContext]);
  }
}

/** The text below `node` a reader sees: nothing inside hidden elements. */
function visibleText(node: DomNode): string {
  let text = '';
  walk(node, true, (child) => {
    if (child.type === 'text' || child.type === 'cdata') text += child.data ?? '';
    return isHidden(child) ? undefined : true;
  });
  return text;
}

function isLink(href: string): boolean {
  return !(
    href.startsWith('#') ||
    href.startsWith('javascript:') ||
    href.startsWith('mailto:') ||
    href.startsWith('tel:')
  );
}

/**
 * Parses a page with a real HTML parser (htmlparser2 through cheerio), tolerant of broken markup, and takes
 * every fact in one walk over the tree: a CSS selector per fact (the cheerio way) cost about four times as much
 * CPU, and this runs for every analysed page.
 */
export function parsePage(html: string, pageUrl: string): PageFacts {
  // htmlparser2 in HTML mode: about 4x faster than cheerio's default parse5, and the facts taken here do not
  // need parse5's spec tree repair (implied <head>/<body>); missing ones fall back below.
  const root = load(html, { xml: { xmlMode: false, decodeEntities: true } }).root()[0] as unknown as DomNode;
  const origin = new URL(pageUrl);
  const facts = {
    headTitle: undefined as DomNode | undefined,
    anyTitle: undefined as DomNode | undefined,
    metaDescription: undefined as DomNode | undefined,
    canonical: undefined as DomNode | undefined,
    robots: undefined as DomNode | undefined,
  };
  const headings: PageFacts['headings'] = { h1: [], h2: [], h3: [] };
  const openGraph: Record<string, string> = {};
  let internal = 0;
  let external = 0;
  let hasBody = false;
  // Visible text in document order: within <body> when there is one, else within any element.
  const bodyText: string[] = [];
  const elementText: string[] = [];

  // The context handed down: whether the node lies inside <body>, and inside a hidden element.
  walk(root, { inBody: false, hidden: false }, (node, { inBody, hidden }) => {
    if (node.type === 'text') {
      if (!hidden && node.parent?.type !== 'root') {
        elementText.push(node.data ?? '');
        if (inBody) bodyText.push(node.data ?? '');
      }
      return undefined;
    }
    const name = node.name;
    const attributes = node.attribs;
    if (name !== undefined && attributes !== undefined) {
      // Open Graph tags and links count wherever they are; the other facts only outside hidden elements.
      if (name === 'meta') {
        const property = attributes.property;
        if (property?.startsWith('og:') === true && attributes.content !== undefined)
          openGraph[property.slice(3)] = clean(attributes.content);
      } else if (name === 'a') {
        const href = attributes.href;
        if (href !== undefined && isLink(href)) {
          try {
            if (new URL(href, origin).hostname === origin.hostname) internal += 1;
            else external += 1;
          } catch {
            // An unparseable href is not a link anyone can follow.
          }
        }
      } else if (name === 'body') {
        hasBody = true;
      }
      if (!hidden) {
        if (name === 'title') {
          facts.anyTitle ??= node;
          if (node.parent?.name === 'head') facts.headTitle ??= node;
        } else if (name === 'meta') {
          const metaName = attributes.name?.toLowerCase();
          if (metaName === 'description') facts.metaDescription ??= node;
          else if (metaName === 'robots') facts.robots ??= node;
        } else if (name === 'link') {
          if (attributes.rel?.toLowerCase() === 'canonical') facts.canonical ??= node;
        } else if (headingLevels.has(name)) {
          const level = headings[name as keyof PageFacts['headings']];
          const text = clean(visibleText(node));
          if (text.length > 0 && level.length < headingsKept) level.push(text);
        }
      }
    }
    return { inBody: inBody || name === 'body', hidden: hidden || isHidden(node) };
  });

  // Text nodes joined with spaces: plain concatenation would glue "<h1>One</h1><p>Two" into one word.
  const text = clean((hasBody ? bodyText : elementText).join(' '));
  const titleText =
    (facts.headTitle === undefined ? '' : visibleText(facts.headTitle)) ||
    (facts.anyTitle === undefined ? '' : visibleText(facts.anyTitle));
  return {
    title: optional(titleText),
    metaDescription: optional(facts.metaDescription?.attribs?.content),
    headings,
    canonical: optional(facts.canonical?.attribs?.href),
    robots: optional(facts.robots?.attribs?.content),
    openGraph,
    links: { internal, external, total: internal + external },
    wordCount: text.length > 0 ? text.split(' ').length : 0,
    textSample: text.slice(0, textSampleLength),
  };
}
