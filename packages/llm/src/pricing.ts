import type { ChatUsage } from './chat-types.js';

/** USD per 1M tokens of one model. `cachedInput` applies to `prompt_tokens_details.cached_tokens`. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

/** Cost of one usage record in USD. */
export interface UsageCost {
  inputUsd: number;
  cachedInputUsd: number;
  outputUsd: number;
  totalUsd: number;
}

/**
 * List prices (USD per 1M tokens, standard tier, short-context rates) of the default and common models,
 * keyed by provider id then model id. Checked against the providers' pricing pages in 2025.
 */
export const modelPrices: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>> = {
  openai: {
    'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
    'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
    'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
    'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
    'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  },
  gemini: {
    'gemini-2.5-flash': { input: 0.3, cachedInput: 0.075, output: 2.5 },
    'gemini-2.5-pro': { input: 1.25, cachedInput: 0.31, output: 10 },
    'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  },
  anthropic: {
    'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5 },
    'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15 },
    'claude-opus-4-1': { input: 15, cachedInput: 1.5, output: 75 },
  },
  groq: {
    'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
    'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
  },
  cohere: {
    'command-a-03-2025': { input: 2.5, output: 10 },
    'command-r-plus-08-2024': { input: 2.5, output: 10 },
    'command-r-08-2024': { input: 0.15, output: 0.6 },
  },
  local: {
    'local-echo-1': { input: 0, output: 0 },
  },
};

/**
 * List prices of embedding models (USD per 1M input tokens; output is free), keyed like `modelPrices`. Kept apart
 * so the chat catalog (`modelPrices`, which also places bare chat model ids) never names an embedding model.
 * Gemini's `text-embedding-004` is free of charge on the Gemini API.
 */
export const embeddingModelPrices: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>> = {
  openai: {
    'text-embedding-3-small': { input: 0.02, output: 0 },
    'text-embedding-3-large': { input: 0.13, output: 0 },
    'text-embedding-ada-002': { input: 0.1, output: 0 },
  },
  gemini: {
    'text-embedding-004': { input: 0, output: 0 },
    'gemini-embedding-001': { input: 0.15, output: 0 },
  },
  cohere: {
    'embed-v4.0': { input: 0.12, output: 0 },
    'embed-english-v3.0': { input: 0.1, output: 0 },
    'embed-multilingual-v3.0': { input: 0.1, output: 0 },
  },
};

/** The price of a model; a dated snapshot (`gpt-4o-mini-2024-07-18`) falls back to its base id. */
export function findModelPrice(provider: string, model: string): ModelPrice | undefined {
  const embedding = embeddingModelPrices[provider]?.[model];
  if (embedding) return embedding;
  const table = modelPrices[provider];
  if (!table) return undefined;
  const exact = table[model];
  if (exact) return exact;
  const base = Object.keys(table)
    .filter((candidate) => model.startsWith(`${candidate}-`))
    .sort((a, b) => b.length - a.length)[0];
  return base ? table[base] : undefined;
}

/** USD cost of `usage` on `provider`/`model`; `undefined` when the model has no known price. */
export function priceUsage(provider: string, model: string, usage: ChatUsage): UsageCost | undefined {
  const price = findModelPrice(provider, model);
  if (!price) return undefined;
  const cached = Math.min(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_tokens);
  const inputUsd = ((usage.prompt_tokens - cached) * price.input) / 1_000_000;
  const cachedInputUsd = (cached * (price.cachedInput ?? price.input)) / 1_000_000;
  const outputUsd = (usage.completion_tokens * price.output) / 1_000_000;
  return { inputUsd, cachedInputUsd, outputUsd, totalUsd: inputUsd + cachedInputUsd + outputUsd };
}
