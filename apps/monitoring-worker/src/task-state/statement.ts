import { createHash } from 'node:crypto';
import type { PlatformDb } from '@switchyard/db';
import type { RetryPolicy } from './retry-delay.js';

/** A statement being built: `value` appends a parameter and returns its placeholder. */
export interface Statement {
  text: string;
  values: unknown[];
  value(value: unknown): string;
}

/** Starts an empty statement. */
export function createStatement(): Statement {
  const statement: Statement = {
    text: '',
    values: [],
    value(value) {
      statement.values.push(value);
      return `$${statement.values.length}`;
    },
  };
  return statement;
}

/** Runs a statement in one round trip and returns its rows. */
export type RunStatement = <Row extends Record<string, unknown>>(statement: Statement) => Promise<Row[]>;

/**
 * Runs each statement on the pool directly as a named prepared statement: each connection parses and plans it
 * once, not per call.
 */
export function createPreparedRunner(platform: PlatformDb): RunStatement {
  const statementNames = new Map<string, string>();
  return async <Row extends Record<string, unknown>>(statement: Statement): Promise<Row[]> => {
    let name = statementNames.get(statement.text);
    if (name === undefined) {
      name = `sy_task_state_${createHash('sha1').update(statement.text).digest('hex').slice(0, 20)}`;
      statementNames.set(statement.text, name);
    }
    return (await platform.pool.query<Row>({ name, text: statement.text, values: statement.values })).rows;
  };
}

/** What the task-state statements share, set up once by `createTaskState`. */
export interface StatementContext {
  run: RunStatement;
  /** A select-list expression that sets the statement's commit mode (see `createTaskState`). */
  commitMode: string;
  retry: RetryPolicy;
  now: () => Date;
}
