import closeWithGrace from 'close-with-grace';
import {
  exitUnlessReachable,
  requiredServices,
  gatewayAppConfig,
  loadConfigOrExit,
} from '@switchyard/config';
import {
  DatabasesNotMigratedError,
  MigrationError,
  SchemaDriftError,
  eq,
  prepareForServing,
} from '@switchyard/db';
import { users } from '@switchyard/db/platform';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { createLoggerOptions } from './logger.js';

const config = loadConfigOrExit(gatewayAppConfig);
const logger = pino(createLoggerOptions(config.runtime));

/** First run in development: a user and a key, and a curl line that works as pasted. */
async function announceDevelopmentKey(
  app: Awaited<ReturnType<typeof buildApp>>,
  port: number,
): Promise<void> {
  const email = 'developer@switchyard.local';
  const [existing] = await app.platform.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  const user =
    existing ??
    (
      await app.platform.db
        .insert(users)
        .values({ email, name: 'Local developer' })
        .returning({ id: users.id })
    )[0];
  if (!user) return;
  const issued = await app.apiKeys.issue(user.id, 'development');
  const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hello!' }] });
  // Printed to stdout, not the logger: it is for the person at the terminal, and the logger redacts keys.
  process.stdout.write(
    `\nDevelopment key for ${email} (shown once): ${issued.key}\nTry it:\n  curl -s http://127.0.0.1:${port}/v1/chat/completions -H 'authorization: Bearer ${issued.key}' -H 'content-type: application/json' -d '${body}'\nOr open the console at http://127.0.0.1:${port}/console/ and sign in with the key.\n\n`,
  );
}

async function main(): Promise<void> {
  // Unreachable PostgreSQL or Redis: one plain line saying how to start it, exit 69 (no stack trace).
  await exitUnlessReachable(requiredServices(config));
  try {
    // Owner logins (local development) migrate here; app-role logins only verify (see README, database roles).
    const prepared = await prepareForServing(config.databases);
    logger.info(
      { mode: prepared.mode },
      prepared.mode === 'migrated' ? 'databases migrated and verified' : 'databases verified',
    );
  } catch (error) {
    if (error instanceof DatabasesNotMigratedError) {
      logger.fatal('databases not migrated; refusing to serve');
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if (error instanceof SchemaDriftError) {
      logger.fatal('database schema drift; refusing to serve');
      process.stderr.write(`${error.format()}\n`);
      process.exit(1);
    }
    if (error instanceof MigrationError) {
      logger.fatal({ reason: error.message }, 'database migration failed; refusing to serve');
      process.exit(1);
    }
    logger.fatal(
      { reason: error instanceof Error ? error.message : String(error) },
      'cannot prepare databases',
    );
    process.exit(2);
  }

  const app = await buildApp(config, { loggerInstance: logger });
  // requestTimeout and headersTimeout are set in buildApp (they bound receiving a request, never a stream).
  app.server.keepAliveTimeout = 65_000;

  // Shutdown: preClose drains streams (readiness is 503 from the first moment), then the server stops,
  // buffers flush, provider pools, Redis and the database pools close, in that order (see app.ts).
  closeWithGrace({ delay: config.gateway.shutdownGraceMs + 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ reason: err.message }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  // Node's default accept backlog (511) overflows when thousands of clients connect at once (a reconnect storm after
  // a deploy); the kernel caps this at net.core.somaxconn.
  await app.listen({ port: config.gateway.port, host: config.gateway.host, backlog: 4_096 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.gateway.port;
  if (app.llm.usingLocalFallback) {
    app.log.warn(
      'no provider key configured: answering with the built-in `local` provider (x-gateway-provider: local). Set OPENAI_API_KEY, GEMINI_API_KEY, ... for real models.',
    );
    if (!config.runtime.isProduction) await announceDevelopmentKey(app, port);
  }
}

await main();
