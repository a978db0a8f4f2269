export { createGeminiProvider, type GeminiProviderOptions } from './gemini-chat-provider.js';
