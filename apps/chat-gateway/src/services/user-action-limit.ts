import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimitExceededError } from '../errors.js';
import { orUnavailable } from './dependency-outage.js';
import { fixedWindowCommand } from './fixed-window.js';

const windowMs = 60_000;

/**
 * Per-user limits on actions that make the gateway do work for the caller (store a key, send a test request to a
 * provider), so one key cannot turn them into a request cannon. Counted in Redis with the chat rate limit's own
 * `fixed-window.lua`, so every replica shares one counter per user. Over the limit: 429 `rate_limit_exceeded` with `retry-after`.
 */
export function createUserActionLimit(options: { redis: Redis; keyPrefix: string; perMinute: number }) {
  const countAction = fixedWindowCommand(options.redis);
  /** A preHandler (after `authenticate`) counting one `action` for the calling user. */
  return function limit(action: string, description: string) {
    return async function enforceUserActionLimit(
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<void> {
      if (!request.principal || options.perMinute === 0) return;
      const key = `${options.keyPrefix}:rate:${action}:${request.principal.userId}`;
      const [verdict, windowLeft] = await orUnavailable('Redis', () =>
        countAction(key, options.perMinute, windowMs),
      );
      if (verdict !== 0) return;
      const seconds = Math.ceil(Math.max(windowLeft, 1) / 1000);
      reply.header('retry-after', String(seconds));
      reply.header('x-ratelimit-limit-requests', String(options.perMinute));
      reply.header('x-ratelimit-remaining-requests', '0');
      reply.header('x-ratelimit-reset-requests', `${seconds}s`);
      throw new RateLimitExceededError(
        `Too many ${description}: at most ${options.perMinute} per minute per user. Retry after ${seconds} s.`,
      );
    };
  };
}

/** Builds per-user action limit preHandlers. */
export type UserActionLimit = ReturnType<typeof createUserActionLimit>;
