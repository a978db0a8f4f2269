import { EventEmitter } from 'node:events';
import { createInvalidatedCache } from '@switchyard/cache';
import type { ProvidersConfig } from '@switchyard/config';
import { createSecretBox, eq, secretContext, withUser } from '@switchyard/db';
import { userAiAgents } from '@switchyard/db/userdata';
import { createPooledFetch } from '@switchyard/llm';
import { createGuardedLookup, type HostResolver } from '@switchyard/net';
import type { Redis } from 'ioredis';
import type { UserdataClient } from '../plugins/external/databases.js';
import { createBaseUrlGuard } from './base-url-guard.js';
import { readPreferences, type Preferences } from './preferences.js';
import { createUserProvider, type UserAgentCredentials, type UserProvider } from './user-providers.js';

/** What routing needs to know about a user: preferences and the providers built from their own keys. */
export interface UserRouting {
  preferences: Preferences;
  /** Enabled own keys, in the user's preferred provider order; tried before the server's providers. */
  providers: UserProvider[];
}

interface UserRoutingOptions {
  userdata: UserdataClient;
  redis: Redis;
  subscriber: Redis;
  keyPrefix: string;
  logger: { warn(object: Record<string, unknown>, message: string): void };
  providers: ProvidersConfig;
  secretsKey: Buffer;
  /** Keys older stored values may be sealed with (`SECRETS_KEY_PREVIOUS`). */
  secretsPreviousKeys?: readonly Buffer[];
  /** Hosts an own key's `baseUrl` may name although they resolve to non-public addresses. */
  baseUrlAllowlist: readonly string[];
  /** Most users whose routing is cached (default 10,000). */
  maxUsers?: number;
  /** Host name resolver of the `baseUrl` checks and the pool (default: the system's); tests play DNS with it. */
  resolve?: HostResolver;
}

/** Hosts of the endpoints the operator configured (`<P>_BASE_URL`): trusted, wherever they resolve. */
function operatorHosts(providers: ProvidersConfig): string[] {
  return Object.values(providers.providers).flatMap((settings) =>
    settings.baseUrl ? [new URL(settings.baseUrl).hostname] : [],
  );
}

/**
 * Per-user routing (preferences and own-key providers) cached in process, so the chat hot path skips the
 * userdata database and does not rebuild SDK clients. A change is published on Redis and every replica drops
 * its copy; the TTL bounds staleness if a message is lost.
 */
export async function createUserRoutingCache(options: UserRoutingOptions) {
  const secretBox = createSecretBox(options.secretsKey, options.secretsPreviousKeys);
  // One pool for every user provider: the undici agent pools per origin, so users of one vendor share sockets.
  // Its lookup refuses non-public addresses when the socket connects and connects to the address it checked, so
  // a name that passed the `baseUrl` check and then rebinds to 169.254.169.254 or loopback reaches nothing.
  // Operators' own endpoints (used by keys without `baseUrl`) are trusted; users cannot store their hosts
  // unless USER_BASE_URL_ALLOWLIST names them.
  const fetch = createPooledFetch({
    connections: options.providers.maxConnectionsPerProvider,
    timeouts: options.providers.timeouts,
    lookup: createGuardedLookup({
      allowlist: [...options.baseUrlAllowlist, ...operatorHosts(options.providers)],
      resolve: options.resolve,
    }),
  });
  // Tells listeners (tests, for one) that another replica's change reached this one.
  const events = new EventEmitter<{ invalidated: [userId: string] }>();
  // A reconnect forgets every user (the package's default): changes published meanwhile were lost.
  const cache = createInvalidatedCache<UserRouting>({
    redis: options.redis,
    subscriber: options.subscriber,
    channel: `${options.keyPrefix}:user-routing:changed`,
    max: options.maxUsers ?? 10_000,
    ttlMs: 30_000,
    applyMessage: (userId, entries) => {
      entries.delete(userId);
      events.emit('invalidated', userId);
    },
  });
  await cache.subscribed;

  const assertAllowedBaseUrl = createBaseUrlGuard(options.baseUrlAllowlist, options.resolve);
  const build = (agent: UserAgentCredentials) => createUserProvider(options.providers, agent, fetch);

  async function load(userId: string): Promise<UserRouting> {
    const [preferences, agents] = await Promise.all([
      readPreferences(options.userdata, userId),
      withUser(options.userdata, userId, (transaction) =>
        transaction.select().from(userAiAgents).where(eq(userAiAgents.enabled, true)),
      ),
    ]);
    const rank = (provider: string) => {
      const index = preferences.fallbackOrder.indexOf(provider);
      return index >= 0 ? index : preferences.fallbackOrder.length;
    };
    const providers: UserProvider[] = [];
    for (const agent of agents.sort((left, right) => rank(left.provider) - rank(right.provider))) {
      try {
        // Checked again here, not only when stored: rows stored before the check existed, and names that now
        // resolve elsewhere, must not turn the gateway into a proxy into its own network.
        if (agent.baseUrl) await assertAllowedBaseUrl(agent.baseUrl);
        providers.push(
          build({
            id: agent.id,
            provider: agent.provider,
            apiKey: secretBox.decrypt(
              agent.encryptedApiKey,
              secretContext('user_ai_agents', 'encrypted_api_key', agent.userId),
            ),
            model: agent.model,
            baseUrl: agent.baseUrl,
          }),
        );
      } catch (error) {
        // A key that cannot be used (e.g. encrypted under a rotated SECRETS_KEY) must not block the user's requests.
        options.logger.warn(
          { agentId: agent.id, reason: error instanceof Error ? error.message : 'unknown' },
          'own provider key skipped',
        );
      }
    }
    return { preferences, providers };
  }

  return {
    events,
    /** The user's routing, from the cache or loaded once. */
    async get(userId: string): Promise<UserRouting> {
      const cached = cache.entries.get(userId);
      if (cached) return cached;
      const loaded = await load(userId);
      cache.entries.set(userId, loaded);
      return loaded;
    },
    /** Drops a user's cached routing here and on every replica (after their preferences or keys changed). */
    invalidate: (userId: string): Promise<void> => cache.invalidate(userId),
    /** A provider for one stored key, on the shared pool (e.g. to test the key); check its `baseUrl` first. */
    build,
    /** Rejects (`RefusedBaseUrlError`) a `baseUrl` that is not a public endpoint nor allowlisted. */
    assertAllowedBaseUrl,
    /** Unsubscribes from changes and closes the shared pool. */
    async close(): Promise<void> {
      await cache.close();
      await fetch.close();
    },
  };
}

/** The user routing cache decorator. */
export type UserRoutingCache = Awaited<ReturnType<typeof createUserRoutingCache>>;
