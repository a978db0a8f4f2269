export { createGeminiProvider, type GeminiProviderOptions } from './gemini-chat-provider.js';
export { createGeminiEmbeddingProvider } from './gemini-embedding-provider.js';
