// The pipeline's storage: every table and container module, opened on one set of clients with names
// from names.json (or prefixed names, which keep tests and benchmarks apart on one account).
import type { ContainerClient } from '@azure/storage-blob';
import type { StorageClients } from './clients.js';
import { CONFIG_BLOBS, CONTAINERS, SETTINGS, TABLES, setting } from '../names.js';
import { SessionsTable } from './sessionsTable.js';
import { MeetingsTable } from './meetingsTable.js';
import { UploadLedger } from './ledger.js';
import { MarksTable } from './marks.js';
import { DisconnectionsTable } from './disconnectionsTable.js';
import { MeetingResultsTable } from './meetingResultsTable.js';
import { AggregatesTable } from './aggregatesTable.js';
import { UsersTable } from './usersTable.js';
import { ConfigBlobs } from './configBlobs.js';
import { RejectsContainer } from './rejects.js';
import { TokenKeyTable } from './tokenKeyTable.js';

export type TableNames = { -readonly [K in keyof typeof TABLES]: string };
/** A type rather than an interface, so that Object.values() gives its names as strings. */
export type ContainerNames = Record<'exports' | 'rejects' | 'config', string>;
export interface StoreNames {
  tables: TableNames;
  containers: ContainerNames;
}

/** The names from names.json, with the exports container from its app setting. */
export function defaultStoreNames(env: NodeJS.ProcessEnv = process.env): StoreNames {
  return {
    tables: { ...TABLES },
    containers: {
      exports: setting(SETTINGS.exportsContainer, env),
      rejects: CONTAINERS.rejects,
      config: CONTAINERS.config,
    },
  };
}

/**
 * Names with a prefix (letters and digits, starting with a letter): tables `<prefix><name>`,
 * containers `<prefix>-<name>` (lower case).
 */
export function prefixedStoreNames(prefix: string): StoreNames {
  if (!/^[A-Za-z][A-Za-z0-9]{0,30}$/.test(prefix))
    throw new Error(`store prefix must be letters and digits starting with a letter, got "${prefix}"`);
  const tables = {} as TableNames;
  for (const [key, name] of Object.entries(TABLES) as Array<[keyof TableNames, string]>)
    tables[key] = `${prefix}${name}`;
  const lower = prefix.toLowerCase();
  return {
    tables,
    containers: {
      exports: `${lower}-${CONTAINERS.exports}`,
      rejects: `${lower}-${CONTAINERS.rejects}`,
      config: `${lower}-${CONTAINERS.config}`,
    },
  };
}

export interface Store {
  readonly names: StoreNames;
  readonly clients: StorageClients;
  readonly sessions: SessionsTable;
  readonly meetings: MeetingsTable;
  readonly ledger: UploadLedger;
  readonly marks: MarksTable;
  readonly disconnections: DisconnectionsTable;
  readonly meetingResults: MeetingResultsTable;
  readonly aggregates: AggregatesTable;
  readonly users: UsersTable;
  /** The key that signs the report API's continuation tokens. */
  readonly tokenKey: TokenKeyTable;
  readonly config: ConfigBlobs;
  readonly rejects: RejectsContainer;
  readonly exports: ContainerClient;
  /** Creates every table and container that does not exist yet. */
  ensureCreated(): Promise<void>;
}

export function openStore(clients: StorageClients, names: StoreNames = defaultStoreNames()): Store {
  const t = names.tables;
  const container = (name: string): ContainerClient => clients.blobService.getContainerClient(name);
  return {
    names,
    clients,
    sessions: new SessionsTable(clients.table(t.sessions)),
    meetings: new MeetingsTable(clients.table(t.meetings)),
    ledger: new UploadLedger(clients.table(t.ledger)),
    marks: new MarksTable(clients.table(t.marks)),
    disconnections: new DisconnectionsTable(clients.table(t.disconnections)),
    meetingResults: new MeetingResultsTable(clients.table(t.meetingResults)),
    aggregates: new AggregatesTable(clients.table(t.aggregates)),
    users: new UsersTable(clients.table(t.users)),
    tokenKey: new TokenKeyTable(clients.table(t.tokenKeys)),
    config: new ConfigBlobs(container(names.containers.config), CONFIG_BLOBS),
    rejects: new RejectsContainer(container(names.containers.rejects)),
    exports: container(names.containers.exports),
    async ensureCreated() {
      await Promise.all([
        ...Object.values(t).map((name) => clients.table(name).createTable()),
        ...Object.values(names.containers).map((name) => container(name).createIfNotExists()),
      ]);
    },
  };
}
