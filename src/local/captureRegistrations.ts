// Captures the app's function registrations the way the Node worker does: a stand-in for the
// worker's virtual `@azure/functions-core` module records setProgrammingModel / registerFunction /
// registerHook while the files matched by package.json `main` load, and each captured function can
// then be invoked through the library's own InvocationModel with RPC-shaped inputs.
import Module from 'node:module';
import { join, resolve } from 'node:path';
import { captureState, installFakeCore } from './fakeFunctionsCore.js';
import { capabilities, executeHooks, makeCapturedFunction } from './invokeCaptured.js';
import { findPackageRoot, mainFiles } from './packageMain.js';
import type { CapturedFunction } from './capturedFunction.js';

export type * from './capturedFunction.js';
export { findPackageRoot, expandMainPattern } from './packageMain.js';
export { usesDeferredBinding } from './invokeCaptured.js';

export interface CaptureOptions {
  /** Folder holding package.json; defaults to the nearest one above this file. */
  packageRoot?: string;
  /** Files to load instead of package.json `main` (absolute, or relative to packageRoot). */
  files?: string[];
}

/**
 * Installs the fake core module (first call only), loads the app's files (package.json `main`
 * unless `files` is given) and returns every function registered so far. Registration is an
 * import side effect, so a file is loaded once per process: call this before anything else
 * loads @azure/functions, and run it in a process of its own.
 */
export async function captureRegistrations(options: CaptureOptions = {}): Promise<CapturedFunction[]> {
  const packageRoot = options.packageRoot ?? findPackageRoot();
  const state = installFakeCore(packageRoot);
  const files = options.files ? options.files.map((f) => resolve(packageRoot, f)) : mainFiles(packageRoot);
  const requireFromRoot = Module.createRequire(join(packageRoot, 'package.json'));
  for (const file of files) {
    if (state.loadedFiles.has(file)) continue;
    try {
      requireFromRoot(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Loading ${file} failed: ${reason}`, { cause: err });
    }
    state.loadedFiles.add(file);
  }
  for (const { metadata, callback } of state.registrations) {
    if (!state.captured.has(metadata.name)) {
      state.captured.set(metadata.name, makeCapturedFunction(state, metadata, callback));
    }
  }
  if (state.registrations.length > 0) await capabilities(state);
  return state.registrations.map((r) => state.captured.get(r.metadata.name)!);
}

/** Runs the app's appStart / appTerminate hooks (app.hook.appStart etc.) as the worker does. */
export async function runAppHooks(kind: 'appStart' | 'appTerminate', functionAppDirectory: string): Promise<void> {
  const state = captureState();
  if (!state) return;
  await executeHooks(state, kind, { hookData: {}, appHookData: state.appHookData, functionAppDirectory });
}
