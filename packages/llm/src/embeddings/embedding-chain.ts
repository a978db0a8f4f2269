import type { ProviderId } from '../chat-provider.js';
import type { ChainEntry } from '../client-types.js';

/** A configured provider deployment and the embedding models its key serves. */
export interface EmbeddingDeployment {
  name: string;
  id: ProviderId;
  models: readonly string[];
}

/**
 * The chain of an embeddings request: the model the caller named, on every deployment that serves it (a
 * `provider/model` prefix puts that deployment first). Never another model: vectors of two models are not
 * comparable, so a fallback that changed the model would silently corrupt the caller's index. Empty when no
 * deployment serves the model (the caller's 404).
 */
export function planEmbeddingChain(model: string, deployments: readonly EmbeddingDeployment[]): ChainEntry[] {
  const trimmed = model.trim();
  let bare = trimmed;
  let first: EmbeddingDeployment | undefined;
  const slash = trimmed.indexOf('/');
  if (slash > 0) {
    const prefix = trimmed.slice(0, slash);
    const named =
      deployments.find((deployment) => deployment.name === prefix) ??
      deployments.find((deployment) => deployment.id === prefix);
    // A prefix naming no deployment is part of the id (`BAAI/bge-m3` on an OpenAI-compatible server).
    if (named) {
      bare = trimmed.slice(slash + 1);
      if (!named.models.includes(bare)) return [];
      first = named;
    }
  }
  const serving = deployments.filter((deployment) => deployment.models.includes(bare));
  const ordered = first ? [first, ...serving.filter((deployment) => deployment !== first)] : serving;
  return ordered.map((deployment) => ({ provider: deployment.name, model: bare }));
}
