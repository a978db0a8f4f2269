import { z } from 'zod';
import { commaList, emptyAsUndefined, integer, url } from './shared.js';

/** Every provider the LLM client can route to. `local` is the deterministic built-in provider. */
export const providerNames = [
  'gemini',
  'openai',
  'anthropic',
  'groq',
  'cohere',
  'openai-compatible',
  'local',
] as const;
export type ProviderName = (typeof providerNames)[number];

/** Model used for a provider when `<P>_MODEL` is not set. */
export const defaultProviderModels: Record<ProviderName, string> = {
  gemini: 'gemini-2.5-flash',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  groq: 'llama-3.3-70b-versatile',
  cohere: 'command-a-03-2025',
  'openai-compatible': 'default',
  local: 'local-echo-1',
};

const envPrefix = (name: ProviderName) => name.toUpperCase().replace('-', '_');

const httpUrl = url(['http:', 'https:']);

function providerEnvShape(name: ProviderName) {
  const prefix = envPrefix(name);
  return {
    [`${prefix}_API_KEY`]: emptyAsUndefined(z.string().min(8, 'is too short to be an API key').optional()),
    [`${prefix}_BASE_URL`]: emptyAsUndefined(httpUrl.optional()),
    [`${prefix}_MODEL`]: emptyAsUndefined(z.string().default(defaultProviderModels[name])),
  };
}

const remoteProviders = providerNames.filter((name) => name !== 'local');

/** Settings of one provider. A remote provider without an API key is not configured and is skipped. */
export interface ProviderSettings {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  model: string;
}

/** Provider keys, endpoints and models; the fallback order; per-request deadline and per-provider timeouts. */
export const providersConfigSchema = z
  .object({
    ...Object.fromEntries(remoteProviders.flatMap((name) => Object.entries(providerEnvShape(name)))),
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
    LLM_FIRST_TOKEN_TIMEOUT_MS: integer({ default: 20_000, min: 10 }),
    LLM_IDLE_TIMEOUT_MS: integer({ default: 15_000, min: 10 }),
    LLM_TOTAL_TIMEOUT_MS: integer({ default: 45_000, min: 10 }),
    LLM_MAX_CONNECTIONS_PER_PROVIDER: integer({ default: 128, min: 1 }),
  })
  .transform((env) => {
    const read = (key: string) => (env as Record<string, unknown>)[key] as string | undefined;
    const providers = Object.fromEntries(
      providerNames.map((name) => {
        const prefix = envPrefix(name);
        const settings: ProviderSettings = {
          apiKey: read(`${prefix}_API_KEY`),
          baseUrl: read(`${prefix}_BASE_URL`),
          model: read(`${prefix}_MODEL`) ?? defaultProviderModels[name],
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
    };
  });

export type ProvidersConfig = z.output<typeof providersConfigSchema>;
