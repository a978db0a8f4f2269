export {
  createTestDatabases,
  dropTestDatabases,
  testApplicationPassword,
  uniqueDatabaseName,
  type TestDatabases,
  type TestDatabasesOptions,
} from './test-databases.js';
export { runUnmigratedStartup, type UnmigratedStartup } from './unmigrated-startup.js';
