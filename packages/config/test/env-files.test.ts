import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** The environment keys of a compose service (with the shared `x-app-environment` block it merges). */
function composeEnvironment(service: string): string[] {
  const lines = read('docker-compose.yml').split('\n');
  const keysIn = (start: number, indent: string) => {
    const keys: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      if (!line.startsWith(indent)) break;
      const match = new RegExp(`^${indent}([A-Z][A-Z0-9_]*):`).exec(line);
      if (match) keys.push(match[1]!);
    }
    return keys;
  };
  const anchor = lines.findIndex((line) => line.startsWith('x-app-environment:'));
  const serviceStart = lines.findIndex((line) => line === `  ${service}:`);
  const serviceLines = lines.slice(serviceStart + 1);
  const serviceEnd = serviceLines.findIndex((line) => /^ {2}\S/.test(line) || /^\S/.test(line));
  const block = serviceLines.slice(0, serviceEnd === -1 ? undefined : serviceEnd);
  const environment = block.findIndex((line) => line === '    environment:');
  const own = keysIn(serviceStart + 1 + environment, '      ');
  const merges = block.some((line) => line.trim() === '<<: *app-environment');
  return [...new Set([...(merges ? keysIn(anchor, '  ') : []), ...own])].sort();
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
    expect(gateway.filter((name) => !composeEnvironment('chat-gateway').includes(name))).toEqual([]);
    expect(worker.filter((name) => !composeEnvironment('monitoring-worker').includes(name))).toEqual([]);
  });
});
