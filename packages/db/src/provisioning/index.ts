export {
  ensureWebsiteTasks,
  restoreWebsiteTasks,
  type EnsuredWebsiteTasks,
  type PlatformExecutor,
  type ProvisionedWebsiteTask,
  type WebsiteTargets,
} from './website-tasks.js';
