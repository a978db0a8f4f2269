import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/** A connection refused before any byte left: the destination is not a public address (nor allowlisted). */
export class BlockedDestinationError extends Error {
  /** Node-style code, so connectors and SDKs that only look at `code` still see a refused connection. */
  readonly code = 'EBLOCKEDDESTINATION';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedDestinationError';
  }
}

/** Resolves a host name to every address it has; injectable so tests can play a rebinding DNS server. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** The operating system's resolver (`dns.lookup`, every address, in the resolver's order). */
export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The range name of an address a user-supplied destination may not reach (loopback, private, linkLocal incl. the
 * cloud metadata address 169.254.169.254, uniqueLocal, multicast, reserved, ...), or undefined when it is public
 * unicast. `process` turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into IPv4 so the mapping cannot dodge the check.
 */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/** True when `host` is an IP address literal (such hosts never go through a lookup). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(normalizeHostname(host));
}

/** True for addresses a connection to an arbitrary user-supplied host may reach: public unicast only. */
export function isPublicAddress(address: string): boolean {
  return forbiddenRange(address) === undefined;
}

/** Throws `BlockedDestinationError` unless `address` is public, naming the range it belongs to. */
export function assertPublicAddress(address: string, hostname: string): void {
  const range = forbiddenRange(address);
  if (range === undefined) return;
  throw new BlockedDestinationError(`refused to fetch ${hostname}: ${address} is a ${range} address`);
}

/** A host name as URLs and resolvers spell it: lowercase, IPv6 without brackets. */
export function normalizeHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** A predicate over host names (exact, case-insensitive) that skip the address check. */
export function createHostAllowlist(hosts: readonly string[]): (hostname: string) => boolean {
  const allowed = new Set(hosts.map(normalizeHostname));
  return (hostname) => allowed.has(normalizeHostname(hostname));
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Options of `createGuardedLookup`. */
export interface GuardedLookupOptions {
  /** Host names allowed to resolve to non-public addresses (operators' internal endpoints, test simulators). */
  allowlist: readonly string[];
  /** Default: the system resolver. */
  resolve?: HostResolver;
}

/**
 * A `dns.lookup` replacement for a connector (undici `connect.lookup`, `net.connect`): the name is resolved once,
 * every address is checked, and the socket connects to exactly the addresses checked. Checking here and not
 * before the request closes the gap where a name answers differently the second time (DNS rebinding).
 * Literal IP hosts never reach a lookup: check them with `assertPublicAddress` before connecting.
 */
export function createGuardedLookup(options: GuardedLookupOptions) {
  const isAllowlisted = createHostAllowlist(options.allowlist);
  const resolve = options.resolve ?? systemResolver;
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (resolved) => {
        const addresses = lookupOptions.family
          ? resolved.filter((entry) => entry.family === lookupOptions.family)
          : resolved;
        try {
          if (addresses.length === 0)
            throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          if (!isAllowlisted(hostname))
            for (const entry of addresses) assertPublicAddress(entry.address, hostname);
        } catch (error) {
          return callback(error as NodeJS.ErrnoException, []);
        }
        if (lookupOptions.all === true) return callback(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, []),
    );
  };
}

/** A guarded `lookup` for connectors. */
export type GuardedLookup = ReturnType<typeof createGuardedLookup>;
