import type { ChainEntry, ChatProvider, ChatRequest } from '@switchyard/llm';
import { ModelNotFoundError } from '../errors.js';
import { planChain } from './model-routing.js';
import type { ServedModels } from './served-models.js';
import type { UserRouting } from './user-routing.js';

/** A request's route: the chain, and the user's own-key providers it names (passed to the client per call). */
export interface RoutePlan {
  chain: ChainEntry[];
  providers: ChatProvider[];
  /** The model the caller named (not `auto`): a provider not serving it is the caller's mistake. */
  pinnedModel: string | undefined;
}

interface RoutePlannerOptions {
  /** The server's providers and default chain. */
  providers: ChatProvider[];
  defaultChain: ChainEntry[];
  /** What each server key serves; a pinned model outside it never reaches that provider. */
  served: ServedModels;
  /** A user's preferences and own-key providers. */
  routingFor: (userId: string) => Promise<UserRouting>;
  /** Told when a request names a model no provider serves (before the error is thrown). */
  onUnknownModel: (model: string) => void;
}

const noOwnProviders: ChatProvider[] = [];

/** Plans requests' routes from their `model`, the user's own keys (first), fallback order and default model. */
export function createRoutePlanner(options: RoutePlannerOptions) {
  const { providers, defaultChain } = options;
  return async function plan(request: ChatRequest, userId: string): Promise<RoutePlan> {
    const routing = await options.routingFor(userId);
    const { preferences } = routing;
    const model =
      request.model === 'auto' && preferences.defaultModel ? preferences.defaultModel : request.model;
    try {
      const { chain, pinnedModel } = planChain(
        model,
        providers,
        defaultChain,
        preferences.fallbackOrder,
        routing.providers,
        options.served,
      );
      return {
        chain,
        pinnedModel,
        providers:
          routing.providers.length === 0 ? noOwnProviders : routing.providers.map((own) => own.provider),
      };
    } catch (error) {
      if (error instanceof ModelNotFoundError) options.onUnknownModel(model);
      throw error;
    }
  };
}
