import type { ChatProvider } from './chat-provider.js';
import type { ChainEntry } from './client.js';
import { providerModelCatalog } from '@switchyard/config';

/** What a request's `model` field asks for: the default chain, or one provider and model first. */
export type ResolvedModel = { type: 'auto' } | { type: 'pinned'; entry: ChainEntry };

// Model-id families each provider owns, for bare ids that are not in a chain or the model catalog.
const familyPatterns: Array<[RegExp, string]> = [
  [/^(gpt-|o\d|chatgpt-)/, 'openai'],
  [/^gemini-/, 'gemini'],
  [/^claude-/, 'anthropic'],
  [/^command/, 'cohere'],
  [/^(llama|mixtral|gemma|qwen|deepseek|moonshotai\/|openai\/gpt-oss)/, 'groq'],
  [/^local-/, 'local'],
];

/**
 * Resolves `auto`, `provider/model` (provider by instance name or id) and bare model ids to a chain entry
 * of a configured provider. Bare ids match the default chain's models first, then the price table, then
 * the provider's model family. `undefined` when no configured provider owns the model.
 */
export function resolveModel(
  model: string,
  providers: ChatProvider[],
  defaultChain: ChainEntry[] = [],
): ResolvedModel | undefined {
  const trimmed = model.trim();
  if (trimmed === '' || trimmed === 'auto') return { type: 'auto' };
  const slash = trimmed.indexOf('/');
  if (slash > 0) {
    const prefix = trimmed.slice(0, slash);
    const rest = trimmed.slice(slash + 1);
    const provider =
      providers.find((candidate) => candidate.name === prefix) ??
      providers.find((candidate) => candidate.id === prefix);
    if (provider && rest) return { type: 'pinned', entry: { provider: provider.name, model: rest } };
  }
  const inChain = defaultChain.find(
    (entry) => entry.model === trimmed && providers.some((provider) => provider.name === entry.provider),
  );
  if (inChain) return { type: 'pinned', entry: { ...inChain } };
  const byCatalog = providers.find((provider) => providerModelCatalog[provider.id]?.includes(trimmed));
  if (byCatalog) return { type: 'pinned', entry: { provider: byCatalog.name, model: trimmed } };
  for (const [pattern, id] of familyPatterns) {
    if (!pattern.test(trimmed)) continue;
    const provider = providers.find((candidate) => candidate.id === id);
    if (provider) return { type: 'pinned', entry: { provider: provider.name, model: trimmed } };
  }
  return undefined;
}
