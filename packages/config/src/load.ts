import type { z } from 'zod';
import { readProcessEnv } from './env.js';

type Env = Record<string, string | undefined>;
type Sections = Record<string, z.ZodType>;
type Parsed<S extends Sections> = { [K in keyof S]: z.output<S[K]> };

/** Exit code for a configuration error (EX_CONFIG from sysexits.h). */
export const configErrorExitCode = 78;

/** Configuration that failed validation; `problems` has one line per variable, naming it and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every section against the same environment and reports every problem at once.
 * Values are never echoed back: a mistyped variable may hold a secret.
 */
export function parseConfig<S extends Sections>(sections: S, env: Env): Parsed<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [section, schema] of Object.entries(sections)) {
    const parsed = schema.safeParse(env);
    if (parsed.success) {
      result[section] = parsed.data;
      continue;
    }
    for (const issue of parsed.error.issues) {
      const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : section;
      const line = `${variable}: ${issue.message}`;
      if (!problems.includes(line)) problems.push(line);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result as Parsed<S>;
}

/**
 * Parses the process environment; on any problem prints one line per problem to stderr and exits with 78.
 * Apps call this once at startup and pass the result into their factories.
 */
export function loadConfigOrExit<S extends Sections>(sections: S, env: Env = readProcessEnv()): Parsed<S> {
  try {
    return parseConfig(sections, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(configErrorExitCode);
  }
}
