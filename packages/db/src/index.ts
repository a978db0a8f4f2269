export {
  createPlatformDb,
  createUserdataDb,
  applicationLoginUrl,
  applicationLoginUrls,
  logsInAsApplicationRole,
  withUser,
  type DatabaseClient,
  type DatabaseClientOptions,
  type DatabaseTimeouts,
  type PlatformDatabase,
  type PlatformDb,
  type UserdataDatabase,
  type UserdataDb,
  type UserdataTransaction,
} from './client.js';
export {
  createSecretBox,
  SecretBoxError,
  secretKeyId,
  type SecretBox,
  type SecretContext,
} from './secret-box.js';
export { rotateSecrets, secretContext, storedSecretColumns, type RotationResult } from './secret-rotation.js';
export { applicationRole, databaseNames, type DatabaseName } from './layout.js';
export { MigrationError, type MigrationErrorKind, type MigrationResult } from './migrator.js';
export * from './operators.js';
export { getTableName } from 'drizzle-orm';
export {
  prepareDatabases,
  prepareForServing,
  verifyDatabases,
  DatabasesNotMigratedError,
  type ServingPreparation,
  assertSeparateDatabases,
  SchemaDriftError,
  type PreparedReport,
  type PrepareOptions,
} from './prepare.js';
export {
  formatSchemaReport,
  type DatabaseSchemaReport,
  type SchemaIssue,
  type SchemaIssueKind,
  type SchemaReport,
} from './schema-report.js';
