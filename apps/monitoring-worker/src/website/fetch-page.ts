import {
  assertPublicAddress,
  BlockedDestinationError,
  createGuardedLookup,
  createHostAllowlist,
  isIpLiteral,
  normalizeHostname,
} from '@switchyard/net';
import { Agent, request, type Dispatcher } from 'undici';

/** Limits of one page fetch. */
export interface PageFetchLimits {
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

/** Defaults: at most 30 s in total, 5 MB of body and 5 redirects per page. */
export const defaultPageFetchLimits: PageFetchLimits = {
  totalTimeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
};

/** A fetched page. */
export interface FetchedPage {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  contentType: string | undefined;
  redirects: string[];
  bytes: number;
  truncated: boolean;
  /** Milliseconds to the response headers of the final hop, and to the last body byte. */
  timings: { firstByteMs: number; totalMs: number };
  body: string;
}

/** Options for `createPageFetcher`. */
export interface PageFetcherOptions {
  /** Hostnames (lowercase) exempt from the private-address guard, e.g. an intranet site a user really owns. */
  allowlist: readonly string[];
  limits?: Partial<PageFetchLimits>;
  userAgent?: string;
  /** Connections per origin; the bench raises it. */
  connections?: number;
}

/** Fetches pages of user-supplied URLs without letting them reach internal addresses. */
export interface PageFetcher {
  fetch(url: string, signal: AbortSignal): Promise<FetchedPage>;
  close(): Promise<void>;
}

/**
 * Creates a guarded fetcher: http/https only, redirects followed by hand (each hop re-checked), literal IPs
 * checked before connecting, names checked at connect time by the guarded lookup, body capped while streaming.
 */
export function createPageFetcher(options: PageFetcherOptions): PageFetcher {
  const limits = { ...defaultPageFetchLimits, ...options.limits };
  const isAllowlisted = createHostAllowlist(options.allowlist);
  const agent = new Agent({
    connect: { lookup: createGuardedLookup({ allowlist: options.allowlist }) },
    connections: options.connections ?? 16,
  });
  const userAgent = options.userAgent ?? 'SwitchyardMonitor/1.0 (+website analysis)';

  function checkDestination(target: URL): void {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new BlockedDestinationError(
        `refused to fetch ${target.protocol} URL: only http and https are allowed`,
      );
    }
    const hostname = normalizeHostname(target.hostname);
    // Literal addresses never go through DNS lookup, so the connect-time guard would not see them.
    if (isIpLiteral(hostname) && !isAllowlisted(hostname)) assertPublicAddress(hostname, hostname);
  }

  async function readCapped(
    body: Dispatcher.ResponseData['body'],
  ): Promise<{ text: string; bytes: number; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      if (bytes + buffer.length > limits.maxBytes) {
        chunks.push(buffer.subarray(0, limits.maxBytes - bytes));
        bytes = limits.maxBytes;
        body.destroy();
        return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated: true };
      }
      chunks.push(buffer);
      bytes += buffer.length;
    }
    return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated: false };
  }

  return {
    async fetch(url, signal) {
      const combined = AbortSignal.any([signal, AbortSignal.timeout(limits.totalTimeoutMs)]);
      const started = performance.now();
      const redirects: string[] = [];
      let current = new URL(url);
      for (;;) {
        checkDestination(current);
        const hopStarted = performance.now();
        const response = await request(current, {
          method: 'GET',
          dispatcher: agent,
          signal: combined,
          headers: { 'user-agent': userAgent, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
        });
        const firstByteMs = performance.now() - hopStarted;
        const location = response.headers.location;
        if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
          await response.body.dump();
          if (redirects.length >= limits.maxRedirects) {
            throw new BlockedDestinationError(
              `refused to follow more than ${limits.maxRedirects} redirects from ${url}`,
            );
          }
          current = new URL(location, current);
          redirects.push(current.href);
          continue;
        }
        const { text, bytes, truncated } = await readCapped(response.body);
        const contentType = response.headers['content-type'];
        return {
          requestedUrl: url,
          finalUrl: current.href,
          status: response.statusCode,
          contentType: typeof contentType === 'string' ? contentType : undefined,
          redirects,
          bytes,
          truncated,
          timings: { firstByteMs: Math.round(firstByteMs), totalMs: Math.round(performance.now() - started) },
          body: text,
        };
      }
    },
    close: () => agent.close(),
  };
}
