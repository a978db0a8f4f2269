import { z } from 'zod';
import {
  defaultProviderModels,
  embeddingModelCatalog,
  embeddingProviderNames,
  providerModelCatalog,
  providerNames,
  type ProviderName,
} from './provider-models.js';
import { commaList, emptyAsUndefined, flag, integer, url } from './shared.js';

const envPrefix = (name: ProviderName) => name.toUpperCase().replace('-', '_');

const httpUrl = url(['http:', 'https:']);

function providerEnvShape(name: ProviderName) {
  const prefix = envPrefix(name);
  return {
    [`${prefix}_API_KEY`]: emptyAsUndefined(z.string().min(8, 'is too short to be an API key').optional()),
    [`${prefix}_BASE_URL`]: emptyAsUndefined(httpUrl.optional()),
    [`${prefix}_MODEL`]: emptyAsUndefined(z.string().default(defaultProviderModels[name])),
    [`${prefix}_MODELS`]: emptyAsUndefined(
      commaList.pipe(z.array(z.string()).min(1, 'must name at least one model')).optional(),
    ),
  };
}

const remoteProviders = providerNames.filter((name) => name !== 'local');

const isEmbeddingProvider = (name: ProviderName): name is (typeof embeddingProviderNames)[number] =>
  (embeddingProviderNames as readonly string[]).includes(name);

/** `<P>_EMBEDDING_MODELS`: a comma list, or `none` to serve no embeddings with the provider's key. */
const embeddingModelList = commaList
  .pipe(z.array(z.string()).min(1, 'must name at least one model, or none'))
  .transform((models) => (models.length === 1 && models[0]?.toLowerCase() === 'none' ? [] : models));

/** The embedding models a provider's key serves: the configured list, or the catalog (none for others). */
function servedEmbeddingModels(name: ProviderName, configured: string[] | undefined): readonly string[] {
  if (!isEmbeddingProvider(name)) return [];
  return configured ?? embeddingModelCatalog[name];
}

/** Settings of one provider. A remote provider without an API key is not configured and is skipped. */
export interface ProviderSettings {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  model: string;
  /**
   * Model ids the server's key serves (`<P>_MODELS`; default: the known catalog plus `model`). A pinned model
   * outside it is refused before any call. `undefined`: not restricted (an OpenAI-compatible server without a list).
   */
  models: readonly string[] | undefined;
  /**
   * Embedding model ids the server's key serves (`<P>_EMBEDDING_MODELS`; default: the known catalog, none for
   * OpenAI-compatible and for providers without an embeddings API). `POST /v1/embeddings` falls over only between
   * deployments listing the same model.
   */
  embeddingModels: readonly string[];
}

/** `LLM_HEDGE_AFTER_MS`: a positive number of ms, or `auto` (the primary's observed p95 time to first token). */
const hedgeAfter = z
  .string()
  .trim()
  .transform((value, context): number | 'auto' => {
    if (value === 'auto') return 'auto';
    if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
    context.addIssue({ code: 'custom', message: 'must be a positive number of milliseconds or auto' });
    return z.NEVER;
  });

/** A per-provider variable; their names are built from the provider's, so the parsed object is not typed by key. */
function readEnv(env: object, key: string): unknown {
  return (env as Record<string, unknown>)[key];
}

/** The models a provider serves: the configured list, or the catalog plus the chain's model. */
function servedModels(name: ProviderName, model: string, configured: string[] | undefined) {
  if (configured) return configured;
  const catalog = providerModelCatalog[name];
  return catalog ? [...new Set([model, ...catalog])] : undefined;
}

/** Provider keys, endpoints and models; the fallback order; per-request deadline and per-provider timeouts. */
export const providersConfigSchema = z
  .object({
    ...Object.fromEntries(remoteProviders.flatMap((name) => Object.entries(providerEnvShape(name)))),
    ...Object.fromEntries(
      embeddingProviderNames.map((name) => [
        `${envPrefix(name)}_EMBEDDING_MODELS`,
        emptyAsUndefined(embeddingModelList.optional()),
      ]),
    ),
    LOCAL_MODEL: emptyAsUndefined(z.string().default(defaultProviderModels.local)),
    LLM_FALLBACK_ORDER: emptyAsUndefined(
      commaList
        .pipe(
          z
            .array(z.enum(providerNames, { error: `each entry must be one of ${providerNames.join(', ')}` }))
            .min(1),
        )
        .default(['gemini', 'openai', 'anthropic', 'groq', 'cohere']),
    ),
    LLM_DEADLINE_MS: integer({ default: 60_000, min: 100 }),
    LLM_CONNECT_TIMEOUT_MS: integer({ default: 5_000, min: 10 }),
    LLM_FIRST_TOKEN_TIMEOUT_MS: integer({ default: 10_000, min: 10 }),
    LLM_IDLE_TIMEOUT_MS: integer({ default: 15_000, min: 10 }),
    LLM_TOTAL_TIMEOUT_MS: integer({ default: 45_000, min: 10 }),
    LLM_MAX_CONNECTIONS_PER_PROVIDER: integer({ default: 128, min: 1 }),
    LLM_FALLBACK_ON_REFUSAL: flag(true),
    LLM_HEDGE_AFTER_MS: emptyAsUndefined(hedgeAfter.optional()),
  })
  .superRefine(
    (env, context) => {
      // A list leaving out the chain's own model contradicts it: the chain would ask for a model the key does not serve.
      for (const name of remoteProviders) {
        const prefix = envPrefix(name);
        const models = readEnv(env, `${prefix}_MODELS`);
        const model = readEnv(env, `${prefix}_MODEL`);
        if (
          Array.isArray(models) &&
          models.length > 0 &&
          typeof model === 'string' &&
          !models.includes(model)
        )
          context.addIssue({
            code: 'custom',
            path: [`${prefix}_MODELS`],
            message: `must include the chain's model (${prefix}_MODEL, default ${defaultProviderModels[name]})`,
          });
      }
    },
    // Reported even when another variable is also wrong, so one run lists every problem.
    { when: () => true },
  )
  .transform((env) => {
    const providers = Object.fromEntries(
      providerNames.map((name) => {
        const prefix = envPrefix(name);
        const model = (readEnv(env, `${prefix}_MODEL`) as string | undefined) ?? defaultProviderModels[name];
        const models = readEnv(env, `${prefix}_MODELS`) as string[] | undefined;
        const settings: ProviderSettings = {
          apiKey: readEnv(env, `${prefix}_API_KEY`) as string | undefined,
          baseUrl: readEnv(env, `${prefix}_BASE_URL`) as string | undefined,
          model,
          models: servedModels(name, model, models),
          embeddingModels: servedEmbeddingModels(
            name,
            readEnv(env, `${prefix}_EMBEDDING_MODELS`) as string[] | undefined,
          ),
        };
        return [name, settings];
      }),
    ) as Record<ProviderName, ProviderSettings>;
    return {
      providers,
      fallbackOrder: env.LLM_FALLBACK_ORDER,
      deadlineMs: env.LLM_DEADLINE_MS,
      timeouts: {
        connectMs: env.LLM_CONNECT_TIMEOUT_MS,
        firstTokenMs: env.LLM_FIRST_TOKEN_TIMEOUT_MS,
        idleMs: env.LLM_IDLE_TIMEOUT_MS,
        totalMs: env.LLM_TOTAL_TIMEOUT_MS,
      },
      maxConnectionsPerProvider: env.LLM_MAX_CONNECTIONS_PER_PROVIDER,
      /** A content-policy refusal is answered by the next provider (true) or returned as 400 at once. */
      fallbackOnRefusal: env.LLM_FALLBACK_ON_REFUSAL,
      /** Hedged first token: ms before the next provider starts in parallel, `auto`, or off (`undefined`). */
      hedgeAfterMs: env.LLM_HEDGE_AFTER_MS,
    };
  });

export type ProvidersConfig = z.output<typeof providersConfigSchema>;
