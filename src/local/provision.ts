// Creates the containers and tables named in names.json (and the configured exports container)
// so that a fresh local storage account is ready for the functions.
import type { StorageClients } from '../storage/clients.js';
import { CONTAINERS, SETTINGS, TABLES, setting } from '../names.js';

export interface ProvisionResult {
  containers: string[];
  tables: string[];
}

export async function provisionStorage(
  storage: StorageClients,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProvisionResult> {
  const containers = [
    ...new Set([setting(SETTINGS.exportsContainer, env), CONTAINERS.exports, CONTAINERS.rejects, CONTAINERS.config]),
  ];
  const tables = [...new Set(Object.values(TABLES))];
  await Promise.all([
    ...containers.map((name) => storage.blobService.getContainerClient(name).createIfNotExists()),
    ...tables.map((name) => storage.table(name).createTable()),
  ]);
  return { containers, tables };
}
