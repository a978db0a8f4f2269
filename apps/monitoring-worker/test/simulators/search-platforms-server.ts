import { readBody, sendJson, startLocalServer, type LocalServer } from './http-server.js';

/** Google Search Console and Bing Webmaster endpoints that check the bearer token. */
export interface SearchPlatformsSimulator extends LocalServer {
  gscBaseUrl: string;
  bingBaseUrl: string;
  /** Bearer tokens accepted; others get 401. */
  acceptedTokens: Set<string>;
  /** Accepts tokens issued elsewhere (e.g. by the OAuth simulator) too. */
  alsoAccept: (token: string) => boolean;
  /** The next `count` requests answer `status` (e.g. 500 for an outage). */
  failNext(count: number, status: number): void;
  requests: Array<{ path: string; authorization: string | undefined; body: unknown }>;
}

/** Starts both platform APIs on one port: GSC under `/gsc`, Bing under `/bing`. */
export async function startSearchPlatformsSimulator(): Promise<SearchPlatformsSimulator> {
  const acceptedTokens = new Set<string>();
  const requests: SearchPlatformsSimulator['requests'] = [];
  const state = { alsoAccept: (_token: string) => false };
  let failures = { count: 0, status: 500 };
  const server = await startLocalServer(async (request, response) => {
    const path = request.url ?? '';
    const text = await readBody(request);
    const body: unknown = text.length > 0 ? JSON.parse(text) : undefined;
    requests.push({ path, authorization: request.headers.authorization, body });
    if (failures.count > 0) {
      failures.count -= 1;
      return sendJson(response, failures.status, {
        error: { code: failures.status, message: 'simulated failure' },
      });
    }
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (token === undefined || !(acceptedTokens.has(token) || state.alsoAccept(token)))
      return sendJson(response, 401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.' },
      });
    if (path.startsWith('/gsc/webmasters/v3/sites/') && path.endsWith('/searchAnalytics/query')) {
      const dimensions = (body as { dimensions?: string[] }).dimensions ?? [];
      const rows =
        dimensions.length === 0
          ? [{ clicks: 120, impressions: 3400, ctr: 0.035, position: 12.4 }]
          : [
              {
                keys: [dimensions[0] === 'date' ? '2026-11-01' : 'garden spade'],
                clicks: 12,
                impressions: 340,
                ctr: 0.035,
                position: 8.1,
              },
            ];
      return sendJson(response, 200, { rows, responseAggregationType: 'byProperty' });
    }
    if (path.startsWith('/bing/GetQueryStats'))
      return sendJson(response, 200, {
        d: [{ Query: 'garden spade', Clicks: 5, Impressions: 90, AvgImpressionPosition: 7 }],
      });
    if (path.startsWith('/bing/GetRankAndTrafficStats'))
      return sendJson(response, 200, { d: [{ Date: '/Date(1762000000000)/', Clicks: 5, Impressions: 90 }] });
    return sendJson(response, 404, { error: 'not found' });
  });
  return Object.assign(state, server, {
    gscBaseUrl: `${server.url}/gsc`,
    bingBaseUrl: `${server.url}/bing`,
    acceptedTokens,
    requests,
    failNext(count: number, status: number) {
      failures = { count, status };
    },
  });
}
