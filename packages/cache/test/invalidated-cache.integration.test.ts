import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readProcessEnv } from '@switchyard/config';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createInvalidatedCache, type InvalidatedCache } from '../src/index.js';

const redisUrl = readProcessEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One simulated process: its own command and subscriber connections. */
function connectProcess() {
  return { redis: new Redis(redisUrl), subscriber: new Redis(redisUrl) };
}

const opened: Redis[] = [];
const caches: InvalidatedCache<object>[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
  await Promise.all(opened.splice(0).map((connection) => connection.quit()));
});

function open() {
  const process = connectProcess();
  opened.push(process.redis, process.subscriber);
  return process;
}

function track<V extends object>(cache: InvalidatedCache<V>): InvalidatedCache<V> {
  caches.push(cache as unknown as InvalidatedCache<object>);
  return cache;
}

/** Resolves once `channel` carried one more message to `subscriber`. */
const nextMessage = (subscriber: Redis, channel: string) =>
  new Promise<void>((resolve) => {
    const listener = (from: string) => {
      if (from !== channel) return;
      subscriber.off('message', listener);
      resolve();
    };
    subscriber.on('message', listener);
  });

describe('createInvalidatedCache', () => {
  it('drops a key in every process when one process invalidates it, and only that key', async () => {
    const channel = `test:${randomUUID()}`;
    const first = open();
    const second = open();
    const a = track(createInvalidatedCache<{ name: string }>({ ...first, channel, max: 10 }));
    const b = track(createInvalidatedCache<{ name: string }>({ ...second, channel, max: 10 }));
    await Promise.all([a.subscribed, b.subscribed]);
    a.entries.set('user-1', { name: 'a1' });
    b.entries.set('user-1', { name: 'b1' });
    b.entries.set('user-2', { name: 'b2' });

    const arrived = nextMessage(second.subscriber, channel);
    await a.invalidate('user-1');
    expect(a.entries.get('user-1')).toBeUndefined();
    await arrived;
    expect(b.entries.get('user-1')).toBeUndefined();
    expect(b.entries.get('user-2')).toEqual({ name: 'b2' });
  });

  it('applies a custom message to the entries instead of dropping a key', async () => {
    const channel = `test:${randomUUID()}`;
    const first = open();
    const cache = track(
      createInvalidatedCache<{ count: number }>({
        ...first,
        channel,
        max: 10,
        applyMessage: (message, entries) => {
          const { key, count } = JSON.parse(message) as { key: string; count: number };
          entries.set(key, { count });
        },
      }),
    );
    await cache.subscribed;
    const arrived = nextMessage(first.subscriber, channel);
    await first.redis.publish(channel, JSON.stringify({ key: 'openai', count: 3 }));
    await arrived;
    expect(cache.entries.get('openai')).toEqual({ count: 3 });
  });

  it('forgets every entry when its subscriber reconnects, since messages may have been missed', async () => {
    const channel = `test:${randomUUID()}`;
    const first = open();
    const cache = track(createInvalidatedCache<{ name: string }>({ ...first, channel, max: 10 }));
    await cache.subscribed;
    cache.entries.set('user-1', { name: 'stale' });
    const ready = once(first.subscriber, 'ready');
    first.subscriber.disconnect(true);
    await ready;
    expect(cache.entries.size).toBe(0);
  });

  it('stops listening and unsubscribes on close, but keeps the channel for another cache on it', async () => {
    const channel = `test:${randomUUID()}`;
    const first = open();
    const closing = createInvalidatedCache<{ name: string }>({ ...first, channel, max: 10 });
    const staying = track(createInvalidatedCache<{ name: string }>({ ...first, channel, max: 10 }));
    await Promise.all([closing.subscribed, staying.subscribed]);
    await closing.close();
    closing.entries.set('user-1', { name: 'kept' });
    staying.entries.set('user-1', { name: 'dropped' });

    const arrived = nextMessage(first.subscriber, channel);
    await first.redis.publish(channel, 'user-1');
    await arrived;
    expect(closing.entries.get('user-1')).toEqual({ name: 'kept' });
    expect(staying.entries.get('user-1')).toBeUndefined();

    await staying.close();
    const [, subscribers] = (await first.redis.pubsub('NUMSUB', channel)) as [string, number];
    expect(subscribers).toBe(0);
  });
});
