import { describe, expect, it } from 'vitest';
import { planEmbeddingChain, type EmbeddingDeployment } from './embedding-chain.js';

const deployments: EmbeddingDeployment[] = [
  { name: 'openai', id: 'openai', models: ['text-embedding-3-small', 'text-embedding-3-large'] },
  { name: 'gemini', id: 'gemini', models: ['text-embedding-004'] },
  { name: 'openai-compatible', id: 'openai-compatible', models: ['text-embedding-3-small', 'BAAI/bge-m3'] },
];

describe('planEmbeddingChain: one model, every deployment that serves it', () => {
  it('puts every deployment of a bare model id in order, and nothing else', () => {
    expect(planEmbeddingChain('text-embedding-3-small', deployments)).toEqual([
      { provider: 'openai', model: 'text-embedding-3-small' },
      { provider: 'openai-compatible', model: 'text-embedding-3-small' },
    ]);
    expect(planEmbeddingChain('text-embedding-004', deployments)).toEqual([
      { provider: 'gemini', model: 'text-embedding-004' },
    ]);
  });

  it('puts a named deployment first, then the same model elsewhere', () => {
    expect(planEmbeddingChain('openai-compatible/text-embedding-3-small', deployments)).toEqual([
      { provider: 'openai-compatible', model: 'text-embedding-3-small' },
      { provider: 'openai', model: 'text-embedding-3-small' },
    ]);
  });

  it('never offers another model: unknown, or not served by the named deployment, is empty', () => {
    expect(planEmbeddingChain('text-embedding-3-large-v9', deployments)).toEqual([]);
    expect(planEmbeddingChain('gemini/text-embedding-3-small', deployments)).toEqual([]);
    expect(planEmbeddingChain('auto', deployments)).toEqual([]);
  });

  it('reads a slash that names no deployment as part of the model id', () => {
    expect(planEmbeddingChain('BAAI/bge-m3', deployments)).toEqual([
      { provider: 'openai-compatible', model: 'BAAI/bge-m3' },
    ]);
  });
});
