import { request, type Dispatcher } from 'undici';
import { failureOfStatus, TaskFailureError } from '../failures.js';

/** A 401 from a platform API: the access token is stale; the caller refreshes it and retries once. */
export class PlatformUnauthorizedError extends TaskFailureError {
  constructor(platform: string) {
    super(`${platform} answered 401 to the stored access token`, 'auth_error');
    this.name = 'PlatformUnauthorizedError';
  }
}

/** What one insights fetch returned. */
export interface InsightsData {
  platform: 'gsc' | 'bing';
  siteUrl: string;
  period: { startDate: string; endDate: string };
  data: Record<string, unknown>;
}

const rowLimit = 1_000;
const requestTimeoutMs = 30_000;

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function callJson(
  dispatcher: Dispatcher | undefined,
  platform: string,
  url: string,
  accessToken: string,
  signal: AbortSignal,
  body?: unknown,
): Promise<unknown> {
  const response = await request(url, {
    method: body === undefined ? 'GET' : 'POST',
    dispatcher,
    signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]),
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.statusCode === 401) {
    await response.body.dump();
    throw new PlatformUnauthorizedError(platform);
  }
  if (response.statusCode >= 300) {
    await response.body.dump();
    throw failureOfStatus(response.statusCode, platform);
  }
  return response.body.json();
}

/** Options of the platform clients. */
export interface PlatformClientOptions {
  gscBaseUrl: string;
  bingBaseUrl: string;
  dispatcher?: Dispatcher;
  /** Injected clock for the 30-day window. */
  now?: () => Date;
}

/** Fetches search insights from Google Search Console and Bing Webmaster Tools with a user's access token. */
export interface PlatformClients {
  fetchInsights(
    platform: 'gsc' | 'bing',
    siteUrl: string,
    accessToken: string,
    signal: AbortSignal,
  ): Promise<InsightsData>;
}

/** Creates the Search Console (searchanalytics.query) and Bing Webmaster (query, rank and traffic stats) clients. */
export function createPlatformClients(options: PlatformClientOptions): PlatformClients {
  const now = options.now ?? (() => new Date());
  const gscBase = options.gscBaseUrl.replace(/\/$/, '');
  const bingBase = options.bingBaseUrl.replace(/\/$/, '');

  async function fetchGsc(siteUrl: string, accessToken: string, signal: AbortSignal): Promise<InsightsData> {
    const end = now();
    const start = new Date(end.getTime() - 30 * 24 * 3_600_000);
    const period = { startDate: isoDate(start), endDate: isoDate(end) };
    const url = `${gscBase}/webmasters/v3/sites/${encodeURIComponent(siteUrl)}/searchAnalytics/query`;
    const query = (dimensions: string[]) =>
      callJson(options.dispatcher, 'Google Search Console', url, accessToken, signal, {
        ...period,
        dimensions,
        rowLimit,
      });
    // Sequential: a 401 on the first call should not fire two more doomed calls.
    const byDate = await query(['date']);
    const totals = await query([]);
    const byQuery = await query(['query']);
    return { platform: 'gsc', siteUrl, period, data: { byDate, totals, byQuery } };
  }

  async function fetchBing(siteUrl: string, accessToken: string, signal: AbortSignal): Promise<InsightsData> {
    const end = now();
    const start = new Date(end.getTime() - 30 * 24 * 3_600_000);
    const site = encodeURIComponent(siteUrl);
    const queryStats = await callJson(
      options.dispatcher,
      'Bing Webmaster',
      `${bingBase}/GetQueryStats?siteUrl=${site}`,
      accessToken,
      signal,
    );
    const rankAndTraffic = await callJson(
      options.dispatcher,
      'Bing Webmaster',
      `${bingBase}/GetRankAndTrafficStats?siteUrl=${site}`,
      accessToken,
      signal,
    );
    return {
      platform: 'bing',
      siteUrl,
      period: { startDate: isoDate(start), endDate: isoDate(end) },
      data: { queryStats, rankAndTraffic },
    };
  }

  return {
    fetchInsights: (platform, siteUrl, accessToken, signal) =>
      platform === 'gsc' ? fetchGsc(siteUrl, accessToken, signal) : fetchBing(siteUrl, accessToken, signal),
  };
}
