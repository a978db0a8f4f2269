import { connect } from 'node:net';

/** Exit code when a required service cannot be reached (EX_UNAVAILABLE from sysexits.h). */
export const unavailableExitCode = 69;

/** A service a process needs at startup. */
export interface RequiredService {
  /** As named to the operator: `PostgreSQL`, `Redis`. */
  name: string;
  url: string;
}

const defaultPorts: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
};

/** The services gateway and worker need: both databases' servers and Redis. */
export function requiredServices(config: {
  databases: { platformUrl: string; userdataUrl: string };
  redis: { url: string };
}): RequiredService[] {
  return [
    { name: 'PostgreSQL', url: config.databases.platformUrl },
    { name: 'PostgreSQL', url: config.databases.userdataUrl },
    { name: 'Redis', url: config.redis.url },
  ];
}

/** `url` without user name and password, safe to print. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** Whether a TCP connection to the service's host and port opens within `timeoutMs`. */
export function isReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port || defaultPorts[parsed.protocol] || 0);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost';
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const settle = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => settle(true));
    socket.once('timeout', () => settle(false));
    socket.once('error', () => settle(false));
  });
}

/** The one line printed when `service` cannot be reached: what, where, and how to start it (see the README). */
export function unreachableMessage(service: RequiredService): string {
  return `${service.name} is not reachable at ${withoutCredentials(service.url)}; start it with \`docker-compose up -d postgres redis\` (or the local postgresql and redis-server packages), see README "Two commands".`;
}

/**
 * Checks every service (in parallel); when one cannot be reached, prints one plain line naming the first of them
 * on stderr and exits with 69, before anything else (no stack trace, no JSON log).
 */
export async function exitUnlessReachable(services: RequiredService[], timeoutMs?: number): Promise<void> {
  const reachable = await Promise.all(services.map((service) => isReachable(service.url, timeoutMs)));
  const missing = services.find((_, index) => !reachable[index]);
  if (!missing) return;
  process.stderr.write(`${unreachableMessage(missing)}\n`);
  process.exit(unavailableExitCode);
}
