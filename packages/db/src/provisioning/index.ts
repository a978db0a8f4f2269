export {
  ensureConnectionTasks,
  pauseConnectionTasks,
  type ConnectionTasks,
  type ConnectionTasksInput,
  type ProvisionedTask,
} from './connection-tasks.js';
export {
  ensureWebsiteTasks,
  restoreWebsiteTasks,
  type EnsuredWebsiteTasks,
  type PlatformExecutor,
  type ProvisionedWebsiteTask,
  type WebsiteTargets,
} from './website-tasks.js';
