import { modelPrices, resolveModel, type ChainEntry, type ChatProvider } from '@switchyard/llm';
import { ModelNotFoundError, NoProvidersConfiguredError, withParam } from '../errors.js';
import type { UserProvider } from './user-providers.js';

/** Models a provider is known to serve: its configured model first, then the priced catalog. */
export function knownModels(providerId: string, defaultModel: string): string[] {
  return [...new Set([defaultModel, ...Object.keys(modelPrices[providerId] ?? {})])];
}

/**
 * Turns the request's `model` into a fallback chain. The user's own keys come first, then the server's chain
 * with the user's preferred providers first. `auto` is that whole chain; `provider/model` and bare model ids go
 * first to their provider (own key, then the server's), then the rest answers if it fails (the body's `model`
 * then names the model that did).
 */
export function planChain(
  model: string,
  providers: readonly ChatProvider[],
  defaultChain: readonly ChainEntry[],
  preferredOrder: readonly string[] = [],
  own: readonly UserProvider[] = [],
): ChainEntry[] {
  if (defaultChain.length === 0 && own.length === 0) throw new NoProvidersConfiguredError();
  const rank = (entry: ChainEntry) => {
    const index = preferredOrder.indexOf(entry.provider);
    return index >= 0 ? index : preferredOrder.length;
  };
  // A stable sort keeps the configured order among providers the user did not rank.
  const ordered = [...defaultChain].sort((left, right) => rank(left) - rank(right));
  const ownChain = own.map((entry) => ({ provider: entry.provider.name, model: entry.model }));
  const candidates = own.length === 0 ? providers : [...own.map((entry) => entry.provider), ...providers];
  const resolved = resolveModel(
    model,
    candidates as ChatProvider[],
    own.length === 0 ? ordered : [...ownChain, ...ordered],
  );
  if (!resolved) throw withParam(new ModelNotFoundError(model), 'model');
  if (resolved.type === 'auto') return own.length === 0 ? ordered : [...ownChain, ...ordered];
  const pinned = resolved.entry;
  const idOf = (name: string) => candidates.find((provider) => provider.name === name)?.id;
  const pinnedId = idOf(pinned.provider);
  const serves = (entry: ChainEntry) => idOf(entry.provider) === pinnedId;
  // The pinned model on every instance of its provider (the user's key first), then everything else.
  const first = [...ownChain.filter(serves), ...ordered.filter(serves)].map((entry) => ({
    provider: entry.provider,
    model: pinned.model,
  }));
  if (!first.some((entry) => entry.provider === pinned.provider)) first.unshift(pinned);
  return [
    ...first,
    ...ownChain.filter((entry) => !serves(entry)),
    ...ordered.filter((entry) => !serves(entry)),
  ];
}
