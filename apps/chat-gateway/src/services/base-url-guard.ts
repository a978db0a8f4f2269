import {
  createHostAllowlist,
  forbiddenRange,
  isIpLiteral,
  normalizeHostname,
  systemResolver,
  type HostResolver,
} from '@switchyard/net';

/** Why a user-supplied provider endpoint was refused; the message is safe to show the user. */
export class RefusedBaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedBaseUrlError';
  }
}

/**
 * Refuses a provider `baseUrl` a user stores with their own key (or another URL fetched for a user, e.g. an
 * onboarding website, named by `field` in the message) unless every address its host resolves to is public: the gateway would otherwise send requests (with the user's headers) to its own network, to
 * loopback services or to a cloud metadata endpoint (SSRF). Hosts in `allowlist` skip the check (operators'
 * internal proxies, and tests pointing at local simulators).
 *
 * The check runs when the key is stored (an early, clear 400) and again when a provider is built from it. It cannot
 * stop DNS rebinding (a name that answers differently when the socket connects): the user-key pool's guarded
 * lookup (`@switchyard/net`) checks the address actually connected to. `resolve` is injectable for tests.
 */
export function createBaseUrlGuard(allowlist: readonly string[], resolve: HostResolver = systemResolver) {
  const isAllowlisted = createHostAllowlist(allowlist);
  return async function assertAllowedBaseUrl(baseUrl: string, field = 'baseUrl'): Promise<void> {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new RefusedBaseUrlError(`\`${field}\` is not a valid URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RefusedBaseUrlError(`\`${field}\` must be an http:// or https:// URL.`);
    if (url.username || url.password)
      throw new RefusedBaseUrlError(
        field === 'baseUrl'
          ? '`baseUrl` must not carry credentials; send the key as `apiKey`.'
          : `\`${field}\` must not carry credentials.`,
      );
    const hostname = normalizeHostname(url.hostname);
    if (isAllowlisted(hostname)) return;
    let addresses: string[];
    if (isIpLiteral(hostname)) addresses = [hostname];
    else {
      try {
        addresses = (await resolve(hostname)).map((entry) => entry.address);
      } catch {
        throw new RefusedBaseUrlError(`\`${field}\` host ${hostname} does not resolve.`);
      }
    }
    for (const address of addresses) {
      const range = forbiddenRange(address);
      // The range, not the address: what an internal name resolves to is not the user's business.
      if (range)
        throw new RefusedBaseUrlError(
          `\`${field}\` must point at a public endpoint; ${hostname} resolves to a ${range} address.`,
        );
    }
  };
}

/** Checks a user-supplied provider endpoint; rejects with `RefusedBaseUrlError`. */
export type BaseUrlGuard = ReturnType<typeof createBaseUrlGuard>;
