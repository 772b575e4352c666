// `teams-audit erase OBJECT-ID-OR-UPN [--exports rewrite|keep]`: erases one person from the tables, the rejects,
// the users file and (unless kept) the export blobs of the configured storage (src/storage/erasure.ts,
// docs/privacy.md) and prints the counts per table and what was done per export blob as JSON.
// In pseudonymised mode (PSEUDONYMIZE_USERS=true, PSEUDONYM_KEY) the person's pseudonyms are erased too.
import { parseArgs } from 'node:util';
import {
  StorageConfigError,
  storageClientsFromConnectionString,
  storageClientsFromEnv,
  type StorageClients,
} from '../storage/clients.js';
import { defaultStoreNames, openStore, type StoreNames } from '../storage/store.js';
import { erasePerson, ErasureInputError } from '../storage/erasure.js';
import { EXPORT_ERASURE_MODES } from '../storage/exportErasure.js';
import { pseudonymizerFromEnv } from '../privacyMode.js';
import { SETTINGS } from '../names.js';

export interface EraseIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const LOCAL_CONNECTION = 'UseDevelopmentStorage=true';

const USAGE = `Usage: teams-audit erase OBJECT-ID-OR-UPN [--exports rewrite|keep] [--connection-string CS]

Erases one person (by Entra object id, UPN or e-mail) from every table, the rejects and the users file:
rows about the person are deleted, other mentions (as organiser) replaced by "erased". Prints the counts
per table as JSON, and per export blob what was done. Running it again changes nothing.
  --exports rewrite         (default) rewrite each export blob naming the person without their records,
                            as a new version of the blob (ingested again, it replaces the old one)
  --exports keep            leave the export blobs as they are and list those naming the person
  --connection-string CS    storage connection string (default: $${SETTINGS.storageConnection}, or the
                            identity settings ${SETTINGS.storageConnection}__tableServiceUri etc., else the local
                            Azurite started by \`npm start\`: ${LOCAL_CONNECTION})
With ${SETTINGS.pseudonymizeUsers}=true, ${SETTINGS.pseudonymKey} must hold the deployment's pseudonym key.
Rows sent to Log Analytics are not purged by this command: erase through DELETE /api/privacy/users/{id}
when the deployment exports to Log Analytics (docs/privacy.md).
`;

function describeError(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

function clientsFor(connectionString: string | undefined): StorageClients {
  if (connectionString) return storageClientsFromConnectionString(connectionString);
  try {
    return storageClientsFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof StorageConfigError)) throw error;
    return storageClientsFromConnectionString(LOCAL_CONNECTION);
  }
}

/** Runs the command; `names` replaces the deployment's table and container names (tests). */
export async function runErase(
  argv: string[],
  io: EraseIo,
  options: { names?: StoreNames; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'connection-string': { type: 'string' },
        exports: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr.write(`teams-audit erase: ${describeError(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr.write(
      `teams-audit erase: name exactly one person (object id, UPN or e-mail); got ${parsed.positionals.length}\n\n${USAGE}`,
    );
    return 2;
  }
  const exportsMode = EXPORT_ERASURE_MODES.find((m) => m === (parsed.values.exports ?? 'rewrite'));
  if (exportsMode === undefined) {
    io.stderr.write(`teams-audit erase: --exports must be ${EXPORT_ERASURE_MODES.join(' or ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    const env = options.env ?? process.env;
    const pseudonymizer = pseudonymizerFromEnv(env);
    const store = openStore(clientsFor(parsed.values['connection-string']), options.names ?? defaultStoreNames(env));
    const result = await erasePerson({ store, pseudonymizer, exports: { mode: exportsMode } }, parsed.positionals[0]!);
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof ErasureInputError) {
      io.stderr.write(`teams-audit erase: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(
      `teams-audit erase: the erasure did not finish (${describeError(error)}); running the same command again finishes it\n`,
    );
    return 1;
  }
}
