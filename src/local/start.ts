// `npm start`: Azurite from its npm package (data in .azurite/), or the storage named by LOCAL_STORAGE_CONNECTION,
// provisioned from names.json; the app's real registrations captured and driven by the local host on http://localhost:7071.
// This module must be the process entry point: nothing may load @azure/functions before capture.
import { join, relative } from 'node:path';
import { captureRegistrations, findPackageRoot, runAppHooks, type CapturedFunction } from './captureRegistrations.js';
import { startSupervisedStorage, type SupervisedStorage } from './supervisedStorage.js';
import { readHostJson, startHost, type RunningHost } from './host.js';
import { provisionStorage } from './provision.js';
import { removeAdminKeyFile, writeAdminKeyFile } from './adminKeyFile.js';
import { ADMIN_KEY_HEADER, LOOPBACK_HOSTS } from './requestGuards.js';
import { storageClientsFromEnv } from '../storage/clients.js';
import { defaultStoreNames, openStore } from '../storage/store.js';
import { REPORT_ROUTES } from '../pipeline/answerReport.js';
import { getHealth } from '../pipeline/http/adminRoutes.js';
import { SETTINGS, SETTING_DEFAULTS, setting } from '../names.js';

const AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 };
/** Connection string of storage already running (another Azurite): used instead of starting Azurite. */
const EXISTING_STORAGE_VARIABLE = 'LOCAL_STORAGE_CONNECTION';
const DEFAULT_HTTP_PORT = 7071;
const BLOB_POLL_MS = 2000;

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

function hostLog(line: string): void {
  console.log(`[${stamp()}] ${line}`);
}

function parsePort(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_HTTP_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a TCP port number (1-65535), not "${text}"`);
  }
  return port;
}

function banner(
  host: RunningHost,
  functions: readonly CapturedFunction[],
  storage: string,
  ownAzurite: boolean,
  keyFile: string,
): string {
  const lines = ['', `Functions (${functions.length}):`, ''];
  const keyHeader = `-H "${ADMIN_KEY_HEADER}: $(cat ${keyFile})"`;
  for (const info of host.describe()) {
    if (info.trigger === 'http') {
      lines.push(`  ${info.name}: [${info.methods?.join(',')}] ${info.detail}`);
    } else if (info.trigger === 'blob') {
      lines.push(`  ${info.name}: blobTrigger on ${info.detail} (polled every ${BLOB_POLL_MS / 1000} s)`);
      lines.push(
        `      run now: curl -X POST ${keyHeader} ${host.url}/admin/functions/${info.name} -H "Content-Type: application/json" -d '{"input":"${info.detail.split('/')[0]}/<blob name>"}'`,
      );
    } else {
      lines.push(
        `  ${info.name}: timerTrigger "${info.detail}" (UTC), next run ${info.nextRun?.toISOString() ?? 'never'}`,
      );
      lines.push(`      run now: curl -X POST ${keyHeader} ${host.url}/admin/functions/${info.name}`);
    }
  }
  lines.push(
    '',
    `Storage: ${storage}`,
    `Admin key of this start (${ADMIN_KEY_HEADER} header of /admin/functions/*): ${host.adminKey}`,
    `  also in ${keyFile} (readable by you only; a new key at each start)`,
    `The host answers only requests addressed to ${LOOPBACK_HOSTS.join(', ')} and takes no key on its report routes; ` +
      `in Azure, authLevel 'function' requires a key (docs/local-host.md).`,
    `Press Ctrl-C to stop the host${ownAzurite ? ' and Azurite' : ''}.`,
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const packageRoot = findPackageRoot(__dirname);
  const dataDir = join(packageRoot, '.azurite');
  const httpPort = parsePort(process.env['PORT']);
  const existingStorage = process.env[EXISTING_STORAGE_VARIABLE] || undefined;

  // App settings before the app loads: registrations read them (e.g. the blob trigger source).
  const storageSetting = SETTINGS.storageConnection;
  const existing = process.env[storageSetting];
  if (existing && existing !== 'UseDevelopmentStorage=true' && existing !== existingStorage) {
    hostLog(
      `Note: ${storageSetting} was set in the environment; npm start uses ${existingStorage ? EXISTING_STORAGE_VARIABLE : 'its own Azurite'} instead.`,
    );
  }
  process.env[storageSetting] = existingStorage ?? 'UseDevelopmentStorage=true';
  for (const [name, value] of Object.entries(SETTING_DEFAULTS)) {
    if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value;
  }

  const functions = await captureRegistrations({ packageRoot });
  const hostJson = readHostJson(packageRoot);

  let azurite: Pick<SupervisedStorage, 'stop'>;
  let supervised: SupervisedStorage | undefined;
  let storage: string;
  if (existingStorage) {
    azurite = { stop: async () => {} };
    storage = `${storageClientsFromEnv(process.env).blobService.url} (from ${EXISTING_STORAGE_VARIABLE}; Azurite not started)`;
    hostLog(`Using the storage in ${EXISTING_STORAGE_VARIABLE}; Azurite not started`);
  } else {
    try {
      azurite = supervised = await startSupervisedStorage({
        location: dataDir,
        ports: AZURITE_PORTS,
        log: hostLog,
        afterRestart: async () => void (await provisionStorage(storageClientsFromEnv(process.env), process.env)),
      });
    } catch (err) {
      throw new Error(
        `Could not start Azurite on ports ${AZURITE_PORTS.blob}-${AZURITE_PORTS.table}: ${err instanceof Error ? err.message : String(err)}` +
          ` (to use an Azurite that is already running, set ${EXISTING_STORAGE_VARIABLE} to its connection string)`,
        { cause: err },
      );
    }
    storage = `Azurite on 127.0.0.1:${AZURITE_PORTS.blob}-${AZURITE_PORTS.table}, data in ${dataDir} (restarted if it stops)`;
    hostLog(`Azurite started (blob ${AZURITE_PORTS.blob}, queue ${AZURITE_PORTS.queue}, table ${AZURITE_PORTS.table})`);
  }

  let host: RunningHost | undefined;
  try {
    const provisioned = await provisionStorage(storageClientsFromEnv(process.env), process.env);
    hostLog(`Containers ready: ${provisioned.containers.join(', ')}; tables ready: ${provisioned.tables.join(', ')}`);
    await runAppHooks('appStart', packageRoot);
    const clients = storageClientsFromEnv(process.env);
    host = await startHost({
      // On its own Azurite: timers and blob triggers wait while it restarts, and exports are admitted by the table store's size.
      functions:
        supervised === undefined
          ? functions
          : supervised.guard(functions, {
              exportsContainer: setting(SETTINGS.exportsContainer),
              ledger: openStore(clients, defaultStoreNames(process.env)).ledger,
              blobService: clients.blobService,
              healthFunction: REPORT_ROUTES.find((r) => r.handler === getHealth)!.name,
            }),
      storageFor: (connection) => storageClientsFromEnv(process.env, connection),
      port: httpPort,
      hostJson,
      blobPollIntervalMs: BLOB_POLL_MS,
      log: hostLog,
    });
  } catch (err) {
    await azurite.stop();
    throw err;
  }
  let keyFile = '';
  try {
    keyFile = writeAdminKeyFile(process.cwd(), host.adminKey);
  } catch (err) {
    hostLog(
      `Could not write the admin key file (${err instanceof Error ? err.message : String(err)}); use the key shown below`,
    );
  }
  console.log(
    banner(
      host,
      functions,
      storage,
      existingStorage === undefined,
      keyFile ? relative(process.cwd(), keyFile) : '<the key file>',
    ),
  );

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      hostLog('Forced exit');
      process.exit(130);
    }
    stopping = true;
    hostLog(`${signal}: stopping (Ctrl-C again to force)`);
    try {
      await host.stop();
      if (keyFile) removeAdminKeyFile(keyFile);
      await runAppHooks('appTerminate', packageRoot);
    } finally {
      await azurite.stop();
      hostLog('Stopped.');
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
