// The pipeline's long-lived services for the function app: storage clients, the store and the
// cached config, built once per process on first use from the app settings (tests swap them).
import { storageClientsFromEnv } from '../storage/clients.js';
import { CachedConfig } from '../storage/configBlobs.js';
import { defaultStoreNames, openStore, type Store } from '../storage/store.js';

export interface PipelineServices {
  store: Store;
  config: CachedConfig;
  /** Resolves once every table and container exists (created on first use; retried after a failure). */
  ready(): Promise<void>;
}

/** Services on the given store: the config cached for a minute, tables and containers created once. */
export function servicesFor(store: Store): PipelineServices {
  let created: Promise<void> | undefined;
  return {
    store,
    config: new CachedConfig(store.config),
    ready() {
      created ??= store.ensureCreated().catch((error: unknown) => {
        created = undefined;
        throw error;
      });
      return created;
    },
  };
}

let current: PipelineServices | undefined;

/** The services of this process, built from the app settings on first call. */
export function pipelineServices(env: NodeJS.ProcessEnv = process.env): PipelineServices {
  current ??= servicesFor(openStore(storageClientsFromEnv(env), defaultStoreNames(env)));
  return current;
}

/** Replaces the services (tests); undefined goes back to building them from the app settings. */
export function usePipelineServices(services: PipelineServices | undefined): void {
  current = services;
}
