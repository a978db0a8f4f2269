import type { Redis } from 'ioredis';

const subscribers = new WeakMap<Redis, Redis>();

/**
 * The subscriber connection of `redis`: one duplicate per client, shared by every health store on it; it
 * disconnects when that client ends (after `quit()`).
 */
export function sharedSubscriber(redis: Redis): Redis {
  const existing = subscribers.get(redis);
  if (existing) return existing;
  const subscriber = redis.duplicate();
  // State is advisory and re-read periodically: a lost subscriber must not crash the process.
  subscriber.on('error', () => undefined);
  // Every store on this client adds its own listeners: many of them is no leak.
  subscriber.setMaxListeners(0);
  redis.once('end', () => subscriber.disconnect());
  subscribers.set(redis, subscriber);
  return subscriber;
}
