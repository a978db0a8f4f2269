export { createCohereProvider, type CohereProviderOptions } from './cohere-chat-provider.js';
