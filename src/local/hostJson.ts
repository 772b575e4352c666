// The parts of host.json the local host honours, with the Functions defaults.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface HostJsonSettings {
  routePrefix: string;
  poisonBlobThreshold: number;
  maxDegreeOfParallelism: number;
}

export const HOST_JSON_DEFAULTS: HostJsonSettings = {
  routePrefix: 'api',
  poisonBlobThreshold: 5,
  maxDegreeOfParallelism: 8,
};

function positiveInteger(value: unknown, fallback: number): number {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : fallback;
}

/** The property `key` of a JSON value, when the value is an object. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The parts of host.json the local host honours, with the Functions defaults. */
export function readHostJson(packageRoot: string): HostJsonSettings {
  const path = join(packageRoot, 'host.json');
  const json: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const blobs = field(field(json, 'extensions'), 'blobs');
  const routePrefix = field(field(field(json, 'extensions'), 'http'), 'routePrefix');
  return {
    routePrefix: typeof routePrefix === 'string' ? routePrefix : HOST_JSON_DEFAULTS.routePrefix,
    poisonBlobThreshold: positiveInteger(field(blobs, 'poisonBlobThreshold'), HOST_JSON_DEFAULTS.poisonBlobThreshold),
    maxDegreeOfParallelism: positiveInteger(
      field(blobs, 'maxDegreeOfParallelism'),
      HOST_JSON_DEFAULTS.maxDegreeOfParallelism,
    ),
  };
}
