import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Why a user-supplied provider endpoint was refused; the message is safe to show the user. */
export class RefusedBaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedBaseUrlError';
  }
}

/** The range name of an address a user's endpoint may not reach (loopback, private, link-local incl. cloud metadata, ...), or undefined when it is public. */
function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  // `process` turns IPv4-mapped IPv6 (::ffff:169.254.169.254) into IPv4, so the mapping cannot dodge the check.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/**
 * Refuses a provider `baseUrl` a user stores with their own key unless every address its host resolves to is
 * public: the gateway would otherwise send requests (with the user's headers) to its own network, to
 * loopback services or to a cloud metadata endpoint (SSRF). Hosts in `allowlist` skip the check (operators'
 * internal proxies, and tests pointing at local simulators).
 *
 * The check runs when the key is stored and again when a provider is built from it, so a name that resolves
 * elsewhere later is caught within one routing-cache lifetime; it does not pin the address for the connection.
 */
export function createBaseUrlGuard(allowlist: readonly string[]) {
  const allowed = new Set(allowlist.map((host) => host.toLowerCase()));
  return async function assertAllowedBaseUrl(baseUrl: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new RefusedBaseUrlError('`baseUrl` is not a valid URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RefusedBaseUrlError('`baseUrl` must be an http:// or https:// URL.');
    if (url.username || url.password)
      throw new RefusedBaseUrlError('`baseUrl` must not carry credentials; send the key as `apiKey`.');
    const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (allowed.has(hostname)) return;
    let addresses: string[];
    if (ipaddr.isValid(hostname)) addresses = [hostname];
    else {
      try {
        addresses = (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);
      } catch {
        throw new RefusedBaseUrlError(`\`baseUrl\` host ${hostname} does not resolve.`);
      }
    }
    for (const address of addresses) {
      const range = forbiddenRange(address);
      // The range, not the address: what an internal name resolves to is not the user's business.
      if (range)
        throw new RefusedBaseUrlError(
          `\`baseUrl\` must point at a public endpoint; ${hostname} resolves to a ${range} address.`,
        );
    }
  };
}

/** Checks a user-supplied provider endpoint; rejects with `RefusedBaseUrlError`. */
export type BaseUrlGuard = ReturnType<typeof createBaseUrlGuard>;
