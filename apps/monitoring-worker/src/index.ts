export {
  createWorkerRuntime,
  schedulerIds,
  type WorkerRuntime,
  type WorkerRuntimeDependencies,
} from './worker-runtime.js';
export { createHealthServer, type HealthServerOptions, type ReadinessCheck } from './health-server.js';
export { createDispatcher, type Dispatcher, type DispatchCycleResult } from './dispatcher.js';
