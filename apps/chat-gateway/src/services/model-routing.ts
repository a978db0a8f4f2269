import { resolveModel, type ChainEntry, type ChatProvider, type ResolvedModel } from '@switchyard/llm';
import { ModelNotFoundError, NoProvidersConfiguredError, withParam } from '../errors.js';
import type { ServedModels } from './served-models.js';
import type { UserProvider } from './user-providers.js';

/** A request's chain, and the model the caller named, if any (a pinned model's `not_found` is the caller's). */
export interface PlannedChain {
  chain: ChainEntry[];
  pinnedModel?: string;
}

/** Every server provider serves every model: for callers that do not restrict (tests of the ordering rules). */
const servesAll: Pick<ServedModels, 'serves' | 'listing'> = {
  serves: () => true,
  listing: () => undefined,
};

/**
 * Turns the request's `model` into a fallback chain. The user's own keys come first, then the server's chain
 * with the user's preferred providers first. `auto` is that whole chain; `provider/model` and bare model ids go
 * first to their provider (own key, then the server's), then the rest answers if it fails (the body's `model`
 * then names the model that did). A pinned model is sent only to a server key configured to serve it
 * (`<P>_MODELS`) or to the user's own key of that provider; when none is left, 404 `model_not_found` before any
 * upstream call.
 */
export function planChain(
  model: string,
  providers: readonly ChatProvider[],
  defaultChain: readonly ChainEntry[],
  preferredOrder: readonly string[] = [],
  own: readonly UserProvider[] = [],
  served: Pick<ServedModels, 'serves' | 'listing'> = servesAll,
): PlannedChain {
  if (defaultChain.length === 0 && own.length === 0) throw new NoProvidersConfiguredError();
  const rank = (entry: ChainEntry) => {
    const index = preferredOrder.indexOf(entry.provider);
    return index >= 0 ? index : preferredOrder.length;
  };
  // A stable sort keeps the configured order among providers the user did not rank.
  const ordered = [...defaultChain].sort((left, right) => rank(left) - rank(right));
  const ownChain = own.map((entry) => ({ provider: entry.provider.name, model: entry.model }));
  const ownNames = new Set(ownChain.map((entry) => entry.provider));
  const candidates = own.length === 0 ? providers : [...own.map((entry) => entry.provider), ...providers];
  let resolved: ResolvedModel | undefined = resolveModel(
    model,
    candidates as ChatProvider[],
    own.length === 0 ? ordered : [...ownChain, ...ordered],
  );
  if (resolved === undefined || (resolved.type === 'pinned' && !allowedEntry(resolved.entry))) {
    // An id no family rule places (a fine-tune, `openai/gpt-oss-120b` on Groq) belongs to the key that lists it.
    const owner = served.listing(model, [
      ...ordered.map((entry) => entry.provider),
      ...providers.map((provider) => provider.name),
    ]);
    if (owner !== undefined) resolved = { type: 'pinned', entry: { provider: owner, model } };
  }
  if (!resolved) throw withParam(new ModelNotFoundError(model), 'model');
  if (resolved.type === 'auto') return { chain: own.length === 0 ? ordered : [...ownChain, ...ordered] };
  const pinned = resolved.entry;
  const idOf = (name: string) => candidates.find((provider) => provider.name === name)?.id;
  const pinnedId = idOf(pinned.provider);
  const sameProvider = (entry: ChainEntry) => idOf(entry.provider) === pinnedId;
  // The pinned model on every instance of its provider that serves it (the user's key first), then everything else.
  const first = [...ownChain.filter(sameProvider), ...ordered.filter(sameProvider)].map((entry) => ({
    provider: entry.provider,
    model: pinned.model,
  }));
  if (!first.some((entry) => entry.provider === pinned.provider)) first.unshift(pinned);
  const serving = first.filter(allowedEntry);
  if (serving.length === 0) throw withParam(new ModelNotFoundError(model), 'model');
  return {
    chain: [
      ...serving,
      ...ownChain.filter((entry) => !sameProvider(entry)),
      ...ordered.filter((entry) => !sameProvider(entry)),
    ],
    pinnedModel: pinned.model,
  };

  function allowedEntry(entry: ChainEntry): boolean {
    return ownNames.has(entry.provider) || served.serves(entry.provider, entry.model);
  }
}
