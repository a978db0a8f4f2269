import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { gatewayAppConfig, workerAppConfig } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');

/** The variables a config section reads: the keys of its zod object (under the transform). */
function variablesOf(schema: z.ZodType): string[] {
  const def = (
    schema as unknown as { def: { type: string; in?: z.ZodType; shape?: Record<string, unknown> } }
  ).def;
  if (def.type === 'pipe' && def.in) return variablesOf(def.in);
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  throw new Error(`cannot list the variables of a ${def.type} schema`);
}

const variablesOfApp = (sections: Record<string, z.ZodType>) =>
  [...new Set(Object.values(sections).flatMap(variablesOf))].sort();

/** Compose's own variables: used to interpolate docker-compose.yml, never read by the apps. */
const composeOnly = ['POSTGRES_PASSWORD', 'REDIS_PASSWORD'];

/** Owner logins of the migrate step: listed in .env.example, never handed to the apps. */
const migrateOnly = ['PLATFORM_DATABASE_OWNER_URL', 'USERDATA_DATABASE_OWNER_URL'];

/** The environment keys of a compose service, with every `<<:` merge resolved. */
function composeEnvironment(service: string): string[] {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, unknown> }>;
  };
  return Object.keys(compose.services[service]?.environment ?? {}).sort();
}

describe('.env.example and docker-compose.yml', () => {
  const gateway = variablesOfApp(gatewayAppConfig);
  const worker = variablesOfApp(workerAppConfig);

  it('.env.example names every variable either app reads, and nothing else', () => {
    const listed = read('.env.example')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    const known = [...new Set([...gateway, ...worker])];
    expect(known.filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !known.includes(name) && !composeOnly.includes(name))).toEqual([]);
  });

  it('compose hands each app every variable it reads', () => {
    const missing = (names: string[], service: string) =>
      names.filter((name) => !migrateOnly.includes(name) && !composeEnvironment(service).includes(name));
    expect(missing(gateway, 'chat-gateway')).toEqual([]);
    expect(missing(worker, 'monitoring-worker')).toEqual([]);
  });
});
