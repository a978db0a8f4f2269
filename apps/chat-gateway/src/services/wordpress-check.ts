import {
  assertPublicAddress,
  createGuardedLookup,
  createHostAllowlist,
  isIpLiteral,
  normalizeHostname,
  type HostResolver,
} from '@switchyard/net';
import { Agent, request } from 'undici';

/** Why a WordPress site refused (or could not check) the credentials; the message is safe to show the user. */
export class WordPressCheckError extends Error {
  constructor(
    message: string,
    readonly param: 'siteUrl' | 'applicationPassword',
  ) {
    super(message);
    this.name = 'WordPressCheckError';
  }
}

/** The WordPress account an application password belongs to. */
export interface WordPressAccount {
  id: number;
  name: string;
}

const timeoutMs = 10_000;

/**
 * Checks a WordPress application password against the site's REST API (`GET /wp-json/wp/v2/users/me` with Basic
 * auth) before anything is stored. The request goes through the connect-time address guard: a user's site URL must
 * not make the gateway call into its own network (hosts in `allowlist` excepted, e.g. test simulators).
 */
export function createWordPressCheck(options: { allowlist: readonly string[]; resolve?: HostResolver }) {
  const isAllowlisted = createHostAllowlist(options.allowlist);
  const agent = new Agent({
    connect: { lookup: createGuardedLookup({ allowlist: options.allowlist, resolve: options.resolve }) },
  });

  async function check(siteUrl: URL, username: string, password: string): Promise<WordPressAccount> {
    const hostname = normalizeHostname(siteUrl.hostname);
    try {
      // Literal addresses never reach the lookup, so they are checked here.
      if (isIpLiteral(hostname) && !isAllowlisted(hostname)) assertPublicAddress(hostname, hostname);
    } catch {
      throw new WordPressCheckError('`siteUrl` must be a public website.', 'siteUrl');
    }
    const endpoint = new URL(
      'wp-json/wp/v2/users/me',
      siteUrl.href.endsWith('/') ? siteUrl : `${siteUrl.href}/`,
    );
    let response;
    try {
      response = await request(endpoint, {
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
          accept: 'application/json',
        },
      });
    } catch {
      throw new WordPressCheckError(
        `Could not reach the WordPress REST API at ${endpoint.origin}; check \`siteUrl\` (a public site with the REST API enabled).`,
        'siteUrl',
      );
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      await response.body.dump();
      throw new WordPressCheckError(
        'WordPress refused the username or application password (create one under Users -> Profile -> Application Passwords).',
        'applicationPassword',
      );
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new WordPressCheckError(
        `The WordPress REST API at ${endpoint.origin} answered ${response.statusCode}; check \`siteUrl\`.`,
        'siteUrl',
      );
    }
    const body = (await response.body.json().catch(() => undefined)) as Partial<WordPressAccount> | undefined;
    if (typeof body?.id !== 'number')
      throw new WordPressCheckError(
        `${endpoint.origin} did not answer like a WordPress REST API; check \`siteUrl\`.`,
        'siteUrl',
      );
    return { id: body.id, name: typeof body.name === 'string' ? body.name : username };
  }

  return { check, close: () => agent.close() };
}

/** The WordPress credential check of a gateway. */
export type WordPressCheck = ReturnType<typeof createWordPressCheck>;
