// Sorts captured registrations into what the local host drives: HTTP routes, watched blob
// containers and timers. Anything the host cannot run is refused at start, by name.
import type { StorageClients } from '../storage/clients.js';
import type { CapturedFunction } from './captureRegistrations.js';
import { parseNcrontab } from './ncrontab.js';
import {
  compareRoutePrecedence,
  compileBlobPath,
  compileRoute,
  resolveSettings,
  type CompiledRoute,
} from './templates.js';
import { RECEIPTS_CONTAINER, type BlobWatch } from './blobTriggers.js';
import type { TimerState } from './timerTriggers.js';

export interface HttpRoute {
  fn: CapturedFunction;
  route: CompiledRoute;
  methods: Set<string>;
}

export interface ClassifiedRegistrations {
  /** Most specific route first. */
  httpRoutes: HttpRoute[];
  blobWatches: BlobWatch[];
  timers: TimerState[];
  /** Every function by lower-cased name. */
  byName: Map<string, CapturedFunction>;
}

/** A trigger's text setting (route, path, connection, schedule), or `fallback` when it is missing or not text. */
function textSetting(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function classifyRegistrations(
  functions: readonly CapturedFunction[],
  env: NodeJS.ProcessEnv,
  storageFor: (connection: string) => StorageClients,
): ClassifiedRegistrations {
  const httpRoutes: HttpRoute[] = [];
  const blobWatches: BlobWatch[] = [];
  const timers: TimerState[] = [];
  const byName = new Map<string, CapturedFunction>();
  for (const fn of functions) {
    byName.set(fn.name.toLowerCase(), fn);
    const extra = fn.bindings.filter((b) => b !== fn.trigger && !(b.name === '$return' && b.type === 'http'));
    if (extra.length > 0) {
      throw new Error(
        `Function "${fn.name}" uses ${extra.map((b) => `${b.type} ${b.direction}`).join(', ')} binding(s), which the local host does not provide; use the storage SDK clients instead`,
      );
    }
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      const template = resolveSettings(textSetting(fn.trigger['route'], fn.name), env, `function ${fn.name}`);
      const methods = Array.isArray(fn.trigger['methods']) ? (fn.trigger['methods'] as string[]) : ['GET', 'POST'];
      httpRoutes.push({
        fn,
        route: compileRoute(template, fn.name),
        methods: new Set(methods.map((m) => m.toUpperCase())),
      });
    } else if (type === 'blobtrigger') {
      const path = resolveSettings(textSetting(fn.trigger['path'], ''), env, `function ${fn.name}`);
      const pattern = compileBlobPath(path, fn.name);
      const connection = textSetting(fn.trigger['connection'], '') || 'AzureWebJobsStorage';
      const storage = storageFor(connection);
      blobWatches.push({
        fn,
        pattern,
        container: storage.blobService.getContainerClient(pattern.container),
        receipts: storage.blobService.getContainerClient(RECEIPTS_CONTAINER),
        done: new Set(),
        inFlight: new Set(),
        receiptsLoaded: false,
      });
    } else if (type === 'timertrigger') {
      const expression = resolveSettings(textSetting(fn.trigger['schedule'], ''), env, `function ${fn.name}`);
      timers.push({ fn, schedule: parseNcrontab(expression) });
    } else {
      throw new Error(`Function "${fn.name}" has a ${fn.trigger.type}, which the local host does not run`);
    }
  }
  httpRoutes.sort((a, b) => compareRoutePrecedence(a.route, b.route));
  return { httpRoutes, blobWatches, timers, byName };
}
