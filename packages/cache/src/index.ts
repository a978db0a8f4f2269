export {
  createInvalidatedCache,
  type InvalidatedCache,
  type InvalidatedCacheOptions,
} from './invalidated-cache.js';
