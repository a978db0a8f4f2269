import { modelPrices, resolveModel, type ChainEntry, type ChatProvider } from '@switchyard/llm';
import { ModelNotFoundError, NoProvidersConfiguredError, withParam } from '../errors.js';

/** Models a provider is known to serve: its configured model first, then the priced catalog. */
export function knownModels(providerId: string, defaultModel: string): string[] {
  return [...new Set([defaultModel, ...Object.keys(modelPrices[providerId] ?? {})])];
}

/**
 * Turns the request's `model` into a fallback chain. `auto` is the default chain with the user's preferred
 * providers first; `provider/model` and bare model ids go first to their provider, then the rest of the
 * chain answers if it fails (the body's `model` then names the model that did).
 */
export function planChain(model: string, providers: ChatProvider[], defaultChain: readonly ChainEntry[], preferredOrder: readonly string[] = []): ChainEntry[] {
  if (defaultChain.length === 0) throw new NoProvidersConfiguredError();
  const rank = (entry: ChainEntry) => {
    const index = preferredOrder.indexOf(entry.provider);
    return index >= 0 ? index : preferredOrder.length;
  };
  // A stable sort keeps the configured order among providers the user did not rank.
  const ordered = [...defaultChain].sort((left, right) => rank(left) - rank(right));
  const resolved = resolveModel(model, providers, ordered);
  if (!resolved) throw withParam(new ModelNotFoundError(model), 'model');
  if (resolved.type === 'auto') return ordered;
  return [resolved.entry, ...ordered.filter((entry) => entry.provider !== resolved.entry.provider)];
}
