import { createInvalidatedCache } from '@switchyard/cache';
import type { PlatformDatabase } from '@switchyard/db';
import { apiProviderPricing, capabilityGaps } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';

/** USD per 1M tokens of one model; `cachedInput` applies to cached prompt tokens (absent: the input price). */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput: number | null;
}

/** The price an attempt is charged at; `estimated` when the model had none and its provider's dearest was used. */
export interface PriceQuote {
  price: ModelPrice;
  estimated: boolean;
}

/** Token counts of one attempt. `cached` is the part of `prompt` the provider read from its cache. */
export interface TokenUsage {
  prompt: number;
  completion: number;
  cached: number;
}

interface PriceRow extends ModelPrice {
  provider: string;
  model: string;
  effectiveFrom: number;
}

/** Every price row, by provider then model, newest `effective_from` first. */
interface PriceTable {
  byModel: Map<string, PriceRow[]>;
  byProvider: Map<string, PriceRow[]>;
  all: PriceRow[];
}

const free: ModelPrice = { input: 0, output: 0, cachedInput: 0 };

/** USD cost of `usage` at `price`. */
export function costOf(price: ModelPrice, usage: TokenUsage): number {
  const cached = Math.min(usage.cached, usage.prompt);
  return (
    ((usage.prompt - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      usage.completion * price.output) /
    1_000_000
  );
}

/** The row in effect at `at` among one model's rows (newest first). */
function inEffect(rows: PriceRow[] | undefined, at: number): PriceRow | undefined {
  return rows?.find((row) => row.effectiveFrom <= at);
}

/** The dearest price in effect at `at` among `rows` (by output, then input price). */
function dearest(rows: PriceRow[] | undefined, at: number): ModelPrice | undefined {
  let best: PriceRow | undefined;
  const seen = new Set<string>();
  for (const row of rows ?? []) {
    if (row.effectiveFrom > at || seen.has(row.model)) continue;
    seen.add(row.model);
    if (!best || row.output > best.output || (row.output === best.output && row.input > best.input))
      best = row;
  }
  return best;
}

/** Options of `createPriceBook`. */
export interface PriceBookOptions {
  db: PlatformDatabase;
  redis: Redis;
  subscriber: Redis;
  /** The channel is `<namespace>:spend:prices`. */
  namespace: string;
  /** How long the table may outlive a lost invalidation (default 60 s). */
  ttlMs?: number;
  /** A `capability_gaps` row could not be written (the price is still estimated). */
  onGapError?: (error: unknown) => void;
}

/**
 * Prices from `api_provider_pricing`, the one source of prices: the whole table is cached in process (it is small)
 * with every version, so a row with a later `effective_from` applies from that instant without a reload; a new row
 * written through `pricesChanged()` (or the TTL) reloads it everywhere.
 */
export function createPriceBook(options: PriceBookOptions) {
  const cache = createInvalidatedCache<PriceTable>({
    redis: options.redis,
    subscriber: options.subscriber,
    channel: `${options.namespace}:spend:prices`,
    max: 1,
    ttlMs: options.ttlMs ?? 60_000,
  });
  let loading: Promise<PriceTable> | undefined;
  const gapsRecorded = new Set<string>();

  async function load(): Promise<PriceTable> {
    const rows = await options.db
      .select({
        provider: apiProviderPricing.provider,
        model: apiProviderPricing.model,
        input: apiProviderPricing.inputPricePerMillion,
        output: apiProviderPricing.outputPricePerMillion,
        cachedInput: apiProviderPricing.cachedInputPricePerMillion,
        effectiveFrom: apiProviderPricing.effectiveFrom,
      })
      .from(apiProviderPricing);
    const all = rows
      .map((row) => ({ ...row, effectiveFrom: row.effectiveFrom.getTime() }))
      .sort((a, b) => b.effectiveFrom - a.effectiveFrom);
    const byModel = new Map<string, PriceRow[]>();
    const byProvider = new Map<string, PriceRow[]>();
    for (const row of all) {
      const key = `${row.provider}/${row.model}`;
      byModel.set(key, [...(byModel.get(key) ?? []), row]);
      byProvider.set(row.provider, [...(byProvider.get(row.provider) ?? []), row]);
    }
    return { byModel, byProvider, all };
  }

  async function table(): Promise<PriceTable> {
    const cached = cache.entries.get('table');
    if (cached) return cached;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    const loaded = await loading;
    cache.entries.set('table', loaded);
    return loaded;
  }

  /** Records once (per process, and once in the table) that `provider/model` has no price. */
  function recordMissingPrice(provider: string, model: string): void {
    const capability = `price:${provider}/${model}`.slice(0, 250);
    if (gapsRecorded.has(capability)) return;
    gapsRecorded.add(capability);
    options.db
      .insert(capabilityGaps)
      .values({
        capability,
        description: `No price in api_provider_pricing for ${provider}/${model}; its calls are priced at the provider's most expensive known price.`,
      })
      .onConflictDoNothing({ target: capabilityGaps.capability })
      .catch((error: unknown) => {
        gapsRecorded.delete(capability);
        options.onGapError?.(error);
      });
  }

  return {
    ready: cache.subscribed,
    /**
     * The price of `model` on `provider` (a provider id such as `openai`) in effect at `at`. A dated snapshot
     * (`gpt-4o-mini-2024-07-18`) takes its base model's price. A model without any: the provider's dearest price
     * (or the dearest of all, for a provider without prices), marked estimated, and a capability gap recorded.
     */
    async quote(provider: string, model: string, at: Date = new Date()): Promise<PriceQuote> {
      const prices = await table();
      const time = at.getTime();
      const exact = inEffect(prices.byModel.get(`${provider}/${model}`), time);
      if (exact) return { price: exact, estimated: false };
      const base = [...new Set((prices.byProvider.get(provider) ?? []).map((row) => row.model))]
        .filter((candidate) => model.startsWith(`${candidate}-`))
        .sort((a, b) => b.length - a.length)[0];
      const based = base ? inEffect(prices.byModel.get(`${provider}/${base}`), time) : undefined;
      if (based) return { price: based, estimated: false };
      recordMissingPrice(provider, model);
      const fallback = dearest(prices.byProvider.get(provider), time) ?? dearest(prices.all, time) ?? free;
      return { price: fallback, estimated: true };
    },
    /** The price table changed: reload it here and in every other process. */
    pricesChanged: () => cache.invalidate('table'),
    close: () => cache.close(),
  };
}

/** The price book. */
export type PriceBook = ReturnType<typeof createPriceBook>;
