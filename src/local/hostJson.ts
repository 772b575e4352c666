// The parts of host.json the local host honours, with the Functions defaults.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface HostJsonSettings {
  routePrefix: string;
  poisonBlobThreshold: number;
  maxDegreeOfParallelism: number;
}

export const HOST_JSON_DEFAULTS: HostJsonSettings = { routePrefix: 'api', poisonBlobThreshold: 5, maxDegreeOfParallelism: 8 };

function positiveInteger(value: unknown, fallback: number): number {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : fallback;
}

/** The parts of host.json the local host honours, with the Functions defaults. */
export function readHostJson(packageRoot: string): HostJsonSettings {
  const path = join(packageRoot, 'host.json');
  const json = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>) : {};
  const blobs = json?.extensions?.blobs ?? {};
  const http = json?.extensions?.http ?? {};
  return {
    routePrefix: typeof http.routePrefix === 'string' ? http.routePrefix : HOST_JSON_DEFAULTS.routePrefix,
    poisonBlobThreshold: positiveInteger(blobs.poisonBlobThreshold, HOST_JSON_DEFAULTS.poisonBlobThreshold),
    maxDegreeOfParallelism: positiveInteger(blobs.maxDegreeOfParallelism, HOST_JSON_DEFAULTS.maxDegreeOfParallelism),
  };
}
