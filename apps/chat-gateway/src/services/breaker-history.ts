import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** One change of a provider's breaker: it opened (until `openUntil`) or closed again. */
export interface BreakerTransition {
  provider: string;
  at: Date;
  state: 'open' | 'closed';
  openUntil: Date | null;
}

type RecordCommand = (
  stateKey: string,
  streamKey: string,
  provider: string,
  state: string,
  openUntil: number,
  at: number,
  maxEntries: number,
) => Promise<number>;

// Read when the module loads: a build that forgot to copy it fails at import, not at the first message.
const script = readFileSync(new URL('./breaker-transition.lua', import.meta.url), 'utf8');

/** The `{provider, openUntil}` of a breaker message for a whole provider; undefined for anything else. */
function parseMessage(payload: string): { provider: string; openUntil: number } | undefined {
  let message: { provider?: unknown; openUntil?: unknown };
  try {
    message = JSON.parse(payload) as typeof message;
  } catch {
    return undefined;
  }
  // A model's own breaker is named `<provider>\x1f<model>`; the operator's history is per provider.
  if (typeof message.provider !== 'string' || message.provider.includes('\x1f')) return undefined;
  const openUntil = Number(message.openUntil);
  return Number.isFinite(openUntil) ? { provider: message.provider, openUntil } : undefined;
}

/**
 * The history of breaker openings and closings, which the llm client does not keep: its breakers live in Redis
 * and publish every change on `<llmKeyPrefix>llm:health` (the worker's client too, same prefix). The gateway
 * listens and appends each new state to a capped stream, so the operator's chart shows what really happened;
 * changes while no gateway runs are not seen. Half-open is not a message: it is the time after `openUntil`
 * until the next `closed`.
 */
export function createBreakerHistory(options: {
  redis: Redis;
  subscriber: Redis;
  llmKeyPrefix: string;
  keyPrefix: string;
  maxEntries?: number;
  logger: { warn(object: Record<string, unknown>, message: string): void };
}) {
  const { redis, subscriber, logger } = options;
  const channel = `${options.llmKeyPrefix}llm:health`;
  const stateKey = `${options.keyPrefix}:console:breaker-state`;
  const streamKey = `${options.keyPrefix}:console:breaker-transitions`;
  const maxEntries = options.maxEntries ?? 10_000;
  redis.defineCommand('switchyardBreakerTransition', { numberOfKeys: 2, lua: script });
  const recordCommand = (
    redis as unknown as { switchyardBreakerTransition: RecordCommand }
  ).switchyardBreakerTransition.bind(redis);

  /** Resolves once every message heard so far is recorded (tests wait on it). */
  let recorded: Promise<unknown> = Promise.resolve();

  const onMessage = (from: string, payload: string) => {
    if (from !== channel) return;
    const message = parseMessage(payload);
    if (!message) return;
    const state = message.openUntil > 0 ? 'open' : 'closed';
    recorded = recordCommand(
      stateKey,
      streamKey,
      message.provider,
      state,
      message.openUntil,
      Date.now(),
      maxEntries,
    ).catch((error: unknown) =>
      logger.warn({ reason: String(error), provider: message.provider }, 'breaker transition not recorded'),
    );
  };

  return {
    /** Starts listening to the breakers' channel. */
    async start(): Promise<void> {
      subscriber.on('message', onMessage);
      await subscriber.subscribe(channel);
    },
    /** Waits until the messages heard so far are written. */
    settled: () => recorded.then(() => undefined),
    /** Transitions since `from`, oldest first. */
    async since(from: Date): Promise<BreakerTransition[]> {
      const entries = await redis.xrange(streamKey, `${from.getTime()}-0`, '+');
      return entries.map(([, fields]) => {
        const field = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
        const openUntil = Number(field('openUntil'));
        return {
          provider: field('provider'),
          at: new Date(Number(field('at'))),
          state: field('state') === 'open' ? ('open' as const) : ('closed' as const),
          openUntil: openUntil > 0 ? new Date(openUntil) : null,
        };
      });
    },
    /** Stops listening. */
    async close(): Promise<void> {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}

/** The breaker history service. */
export type BreakerHistory = ReturnType<typeof createBreakerHistory>;
