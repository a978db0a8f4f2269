import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** Options of `createInvalidatedCache`. */
export interface InvalidatedCacheOptions<V extends object> {
  /** Publishes this process's invalidations. */
  redis: Redis;
  /**
   * A connection in subscriber mode; many caches may share one, each reacts only to its own channel.
   * The caller owns it: `close()` unsubscribes this cache, it never disconnects the connection.
   */
  subscriber: Redis;
  channel: string;
  /** Most entries kept; the least recently used goes first. */
  max: number;
  /** How long an entry may outlive a lost message (none: until evicted or invalidated). */
  ttlMs?: number;
  /** What a message does; by default it names a key to drop. */
  applyMessage?: (message: string, entries: LRUCache<string, V>) => void;
  /**
   * Runs whenever the subscriber (re)connects: messages sent while it was away are lost, so by default every
   * entry is dropped and read again from the source of truth.
   */
  onReconnect?: (entries: LRUCache<string, V>) => void;
}

/** An in-process LRU kept coherent across processes by Redis pub/sub. */
export interface InvalidatedCache<V extends object> {
  /** The entries, for reads and writes of this process. */
  readonly entries: LRUCache<string, V>;
  /** Settles once the channel is subscribed; rejects when subscribing failed. */
  readonly subscribed: Promise<void>;
  /** Drops `key` here at once and, through the channel, in every other process. */
  invalidate(key: string): Promise<void>;
  /** Stops listening and unsubscribes the channel; the entries stay readable. */
  close(): Promise<void>;
}

/** How many caches listen on each channel of each subscriber, so one closing keeps the others subscribed. */
const listeners = new WeakMap<Redis, Map<string, number>>();

function addListener(subscriber: Redis, channel: string): void {
  let channels = listeners.get(subscriber);
  if (!channels) listeners.set(subscriber, (channels = new Map<string, number>()));
  channels.set(channel, (channels.get(channel) ?? 0) + 1);
}

/** True when the last cache on `channel` went away. */
function removeListener(subscriber: Redis, channel: string): boolean {
  const channels = listeners.get(subscriber);
  const left = (channels?.get(channel) ?? 1) - 1;
  if (left > 0) channels?.set(channel, left);
  else channels?.delete(channel);
  return left <= 0;
}

const dropKey = <V extends object>(key: string, entries: LRUCache<string, V>) => {
  entries.delete(key);
};
const dropAll = <V extends object>(entries: LRUCache<string, V>) => {
  entries.clear();
};

/**
 * Creates an LRU whose entries other processes can invalidate: a message on `channel` is applied to this
 * process's entries (by default: the key it names is dropped), and a reconnect of the subscriber forgets what
 * may have gone stale meanwhile. The TTL bounds staleness when a message is lost despite both.
 */
export function createInvalidatedCache<V extends object>(
  options: InvalidatedCacheOptions<V>,
): InvalidatedCache<V> {
  const { redis, subscriber, channel } = options;
  const entries = new LRUCache<string, V>({
    max: options.max,
    ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
  });
  const applyMessage = options.applyMessage ?? dropKey;
  const onReconnect = options.onReconnect ?? dropAll;

  const onMessage = (from: string, message: string) => {
    if (from === channel) applyMessage(message, entries);
  };
  const onReady = () => onReconnect(entries);
  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  addListener(subscriber, channel);
  const subscribed = subscriber.subscribe(channel).then(() => undefined);
  // Callers that do not await `subscribed` must not get an unhandled rejection.
  subscribed.catch(() => undefined);

  let closed = false;
  return {
    entries,
    subscribed,
    async invalidate(key) {
      entries.delete(key);
      await redis.publish(channel, key);
    },
    async close() {
      if (closed) return;
      closed = true;
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      if (removeListener(subscriber, channel)) await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
