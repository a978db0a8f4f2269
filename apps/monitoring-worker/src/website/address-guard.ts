import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/** A fetch refused before any byte left: bad scheme, a private address, too many redirects. */
export class BlockedDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedDestinationError';
  }
}

/** True for addresses a fetch to an arbitrary user-supplied site may reach: public unicast only. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // `process` turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into IPv4 so it cannot dodge the check.
  return ipaddr.process(address).range() === 'unicast';
}

/** Throws unless `address` is public, naming the range it belongs to. */
export function assertPublicAddress(address: string, hostname: string): void {
  if (isPublicAddress(address)) return;
  const range = ipaddr.isValid(address) ? ipaddr.process(address).range() : 'invalid';
  throw new BlockedDestinationError(`refused to fetch ${hostname}: ${address} is a ${range} address`);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup` replacement for the connector: every resolved address must be public. Checking at connect
 * time (not before the request) closes the gap where DNS answers differently the second time (rebinding).
 */
export function createGuardedLookup(isAllowlisted: (hostname: string) => boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!isAllowlisted(hostname)) {
        for (const entry of addresses) {
          try {
            assertPublicAddress(entry.address, hostname);
          } catch (blocked) {
            return callback(blocked as NodeJS.ErrnoException, []);
          }
        }
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(new Error(`no address for ${hostname}`), []);
      callback(null, first.address, first.family);
    });
  };
}
