// Bench inputs: generated once into bench/out/ and reused while the generator version and options
// match the sidecar `<file>.json` (and the file still has the recorded size).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_VERSION, writeExport, type GeneratorOptions } from '../src/generator/exportGenerator.js';
import type { BenchContext } from './harness.js';

export interface BenchInput {
  path: string;
  name: string;
  bytes: number;
  rows: number;
  meetings: number;
}

interface Sidecar {
  generatorVersion: number;
  options: GeneratorOptions;
  bytes: number;
  rows: number;
  meetings: number;
}

function sameOptions(a: GeneratorOptions, b: GeneratorOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof GeneratorOptions>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function readSidecar(path: string): Sidecar | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

/** The input file `name` generated with `options`, reusing a matching cached copy. */
export async function ensureInput(ctx: BenchContext, name: string, options: GeneratorOptions): Promise<BenchInput> {
  mkdirSync(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, name);
  const sidecarPath = `${path}.json`;
  const sidecar = readSidecar(sidecarPath);
  if (
    !ctx.regenerate &&
    sidecar !== undefined &&
    sidecar.generatorVersion === GENERATOR_VERSION &&
    sameOptions(sidecar.options, options) &&
    existsSync(path) &&
    statSync(path).size === sidecar.bytes
  ) {
    return { path, name, bytes: sidecar.bytes, rows: sidecar.rows, meetings: sidecar.meetings };
  }
  ctx.log(
    `generating ${name} (${options.records.toLocaleString('en-US')} rows, ${options.scenario}, ${options.format})`,
  );
  const partial = `${path}.partial`;
  const truth = await writeExport(partial, options);
  renameSync(partial, path);
  const fresh: Sidecar = {
    generatorVersion: GENERATOR_VERSION,
    options,
    bytes: statSync(path).size,
    rows: truth.rows,
    meetings: truth.meetings,
  };
  writeFileSync(sidecarPath, `${JSON.stringify(fresh, null, 2)}\n`);
  return { path, name, bytes: fresh.bytes, rows: fresh.rows, meetings: fresh.meetings };
}

export function describeInput(input: BenchInput): string {
  return `${input.name} (${(input.bytes / 1e6).toFixed(1)} MB)`;
}
