// A stand-in for the worker's virtual `@azure/functions-core` module: it records the library's
// setProgrammingModel / registerFunction / registerHook calls while the app's files load.
import Module from 'node:module';
import { join } from 'node:path';
import type { CapturedFunction } from './capturedFunction.js';
import type {
  CoreFunctionMetadata,
  FunctionCallback,
  HookCallback,
  LogLevel,
  ProgrammingModel,
} from './workerContract.js';

export interface CaptureState {
  programmingModel?: ProgrammingModel;
  capabilities?: Record<string, string>;
  readonly registrations: Array<{ metadata: CoreFunctionMetadata; callback: FunctionCallback }>;
  readonly hooks: Map<string, Set<HookCallback>>;
  readonly appHookData: Record<string, unknown>;
  readonly loadedFiles: Set<string>;
  readonly captured: Map<string, CapturedFunction>;
}

const CORE_MODULE = '@azure/functions-core';
const STATE_KEY = Symbol.for('teams-audit.local.captureState');

function systemLog(level: LogLevel, _category: string, message: string): void {
  if (level === 'debug' || level === 'trace' || level === 'none') return;
  const line = `[functions-library] ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else console.log(line);
}

class Disposable {
  readonly #onDispose: () => void;
  constructor(onDispose: () => void) {
    this.#onDispose = onDispose;
  }
  dispose(): void {
    this.#onDispose();
  }
}

export function installFakeCore(packageRoot: string): CaptureState {
  const holder = globalThis as unknown as Record<symbol, CaptureState | undefined>;
  const existing = holder[STATE_KEY];
  if (existing) return existing;

  // The library caches its lookup of the core module on first use, so it must not be loaded yet.
  const requireFromRoot = Module.createRequire(join(packageRoot, 'package.json'));
  let libraryPath: string | undefined;
  try {
    libraryPath = requireFromRoot.resolve('@azure/functions');
  } catch {
    throw new Error(`@azure/functions is not installed under ${packageRoot}; run npm install`);
  }
  if (Module.createRequire(__filename).cache[libraryPath]) {
    throw new Error(
      '@azure/functions was loaded before the registrations could be captured; load nothing that imports ' +
        '@azure/functions before calling captureRegistrations (it must run first in its process)',
    );
  }

  const state: CaptureState = {
    registrations: [],
    hooks: new Map(),
    appHookData: {},
    loadedFiles: new Set(),
    captured: new Map(),
  };
  const coreApi = {
    version: 'local-host',
    hostVersion: '4.0.0-local',
    setProgrammingModel(model: ProgrammingModel): void {
      state.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return state.programmingModel;
    },
    registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
      if (state.registrations.some((r) => r.metadata.name === metadata.name)) {
        throw new Error(`Function "${metadata.name}" is registered twice`);
      }
      const entry = { metadata, callback };
      state.registrations.push(entry);
      return new Disposable(() => {
        const i = state.registrations.indexOf(entry);
        if (i >= 0) state.registrations.splice(i, 1);
      });
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      let set = state.hooks.get(hookName);
      if (!set) state.hooks.set(hookName, (set = new Set()));
      set.add(callback);
      return new Disposable(() => set.delete(callback));
    },
    log(level: LogLevel, category: string, message: string): void {
      systemLog(level, category, message);
    },
    Disposable,
  };

  type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
  const moduleInternals = Module as unknown as { _load: Loader };
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (request === CORE_MODULE) return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
  holder[STATE_KEY] = state;
  return state;
}

/** The capture state of this process, once installFakeCore has run. */
export function captureState(): CaptureState | undefined {
  return (globalThis as unknown as Record<symbol, CaptureState | undefined>)[STATE_KEY];
}
