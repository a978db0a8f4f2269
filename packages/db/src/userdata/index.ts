export * from './user-profiles.js';
export * from './conversations.js';
export * from './user-ai-agents.js';
export * from './oauth-connections.js';
export * from './stored-responses.js';
