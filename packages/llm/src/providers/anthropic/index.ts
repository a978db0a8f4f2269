export { createAnthropicProvider, type AnthropicProviderOptions } from './anthropic-chat-provider.js';
