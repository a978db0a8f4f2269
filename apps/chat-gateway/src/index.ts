export { buildApp, type AppDependencies } from './app.js';
export { createLoggerOptions } from './logger.js';
