import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What an authorize call remembers until its callback: whose it is, for which platform, and the PKCE verifier. */
export interface OAuthStateRecord {
  userId: string;
  platform: string;
  codeVerifier: string;
  siteUrl: string | null;
}

/** Why a callback's `state` is refused; each is answered with a 400 that says so. */
export type OAuthStateRefusal = 'already_used' | 'expired' | 'foreign' | 'unknown' | 'wrong_platform';

/** The result of consuming a state: its record, or why it cannot be used. */
export type ConsumedState = { record: OAuthStateRecord } | { refused: OAuthStateRefusal };

// A used state is remembered this long after use, so a replay is told apart from a state we never issued.
const usedMarkerSeconds = 24 * 3_600;

/**
 * Single-use OAuth `state` values in Redis. The state is random (256 bits) with its expiry appended, so a missing
 * key can be told apart as expired, replayed (a used marker exists) or unknown. Consumption is one GETDEL: of two
 * concurrent callbacks with the same state, exactly one gets the record.
 */
export function createOAuthStateStore(options: { redis: Redis; keyPrefix: string; ttlSeconds: number }) {
  const { redis, ttlSeconds } = options;
  const stateKey = (state: string) => `${options.keyPrefix}:oauth-state:${state}`;
  const usedKey = (state: string) => `${options.keyPrefix}:oauth-state-used:${state}`;

  return {
    /** Stores the record and returns the state to send to the platform. */
    async issue(record: OAuthStateRecord, now = Date.now()): Promise<string> {
      const expiresAt = now + ttlSeconds * 1_000;
      const state = `${randomBytes(32).toString('base64url')}.${expiresAt.toString(36)}`;
      await redis.set(stateKey(state), JSON.stringify(record), 'EX', ttlSeconds);
      return state;
    },

    /**
     * Takes the state out of Redis (it can never be used again, whatever the outcome) and checks it belongs to
     * `platform` and, when the callback is authenticated, to `callerUserId`.
     */
    async consume(
      state: string,
      platform: string,
      callerUserId: string | undefined,
      now = Date.now(),
    ): Promise<ConsumedState> {
      const stored = await redis.getdel(stateKey(state));
      if (stored === null) {
        if ((await redis.exists(usedKey(state))) === 1) return { refused: 'already_used' };
        const expiresAt = Number.parseInt(state.split('.')[1] ?? '', 36);
        return { refused: Number.isFinite(expiresAt) && expiresAt <= now ? 'expired' : 'unknown' };
      }
      await redis.set(usedKey(state), '1', 'EX', usedMarkerSeconds);
      const record = JSON.parse(stored) as OAuthStateRecord;
      if (callerUserId !== undefined && callerUserId !== record.userId) return { refused: 'foreign' };
      if (record.platform !== platform) return { refused: 'wrong_platform' };
      return { record };
    },
  };
}

/** The state store of a gateway. */
export type OAuthStateStore = ReturnType<typeof createOAuthStateStore>;
