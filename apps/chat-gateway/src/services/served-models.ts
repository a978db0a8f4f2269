import type { ProvidersConfig } from '@switchyard/config';

// A dated snapshot of a listed model (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`) is served by the same key.
const snapshotSuffix = /^-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/**
 * What each server provider's key is configured to serve (`<P>_MODELS`, default: the known catalog). A pinned
 * model is checked here before any upstream call, so a caller's unknown model never reaches (or trips) a shared
 * provider. Users' own keys are not listed: whatever their key serves is theirs to ask for.
 */
export function createServedModels(config: ProvidersConfig) {
  const lists = new Map<string, readonly string[] | undefined>(
    Object.entries(config.providers).map(([name, settings]) => [name, settings.models]),
  );

  /** The model ids a server provider serves; `undefined` when its list is not restricted. */
  function modelsOf(providerName: string): readonly string[] | undefined {
    return lists.get(providerName);
  }

  return {
    modelsOf,

    /** True when the server provider's key serves `model` (always, for a provider without a list). */
    serves(providerName: string, model: string): boolean {
      const models = modelsOf(providerName);
      if (models === undefined) return true;
      return models.some(
        (listed) =>
          listed === model ||
          (model.startsWith(`${listed}-`) && snapshotSuffix.test(model.slice(listed.length))),
      );
    },

    /** The server provider that explicitly lists `model`, among `names` in order (for ids no family rule places). */
    listing(model: string, names: readonly string[]): string | undefined {
      return names.find((name) => modelsOf(name)?.includes(model) === true);
    },

    /** The models `GET /v1/models` shows for a provider: its chain model first, then what its key serves. */
    shown(providerName: string, defaultModel: string): string[] {
      return [...new Set([defaultModel, ...(modelsOf(providerName) ?? [])])];
    },
  };
}

/** What each server provider serves. */
export type ServedModels = ReturnType<typeof createServedModels>;
