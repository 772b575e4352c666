// Erasure of one person (DELETE /api/privacy/users/{objectIdOrUpn}, `teams-audit erase`, docs/privacy.md), across
// every table and container of the store, as store.ts opens them: finds the person's identifiers (the one given, the object ids and UPNs the records and the users table
// link to it, and in pseudonymised mode their pseudonyms), then goes through every table and the rejects and
// config containers: what is about the person is deleted, any other mention replaced (./erasureScrub.ts); last, the
// export blobs naming the person are rewritten without them (./exportErasure.ts) unless the caller keeps them.
// The result gives counts per table and what was done per export blob; the log names no identifier and no blob.
// Idempotent: run again, it finds nothing.
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { Store, TableNames } from './store.js';
import { deleteEntities, pagesOf, UPLOADED_AT_METADATA, uploadedAt, type StoredEntity } from './purge.js';
import { isBundleKey } from './meetingsTable.js';
import { stringLiteral } from './tableEntities.js';
import type { Pseudonymizer } from '../audit/pseudonymize.js';
import { eraseFromExports, type ExportErasure, type ExportErasureOptions } from './exportErasure.js';
import {
  PersonMatcher,
  redactEntity,
  scrubAggregate,
  scrubBundle,
  scrubDisconnection,
  scrubSession,
  scrubText,
  scrubUser,
  type ScrubAction,
} from './erasureScrub.js';

export interface ErasureCounts {
  deleted: number;
  rewritten: number;
}

export interface ErasureResult {
  /** How many identifiers (ids, UPNs, e-mails, pseudonyms) were searched for (never the identifiers). */
  identifiers: number;
  /** Per table (names.json key): entities deleted and rewritten. */
  tables: Record<string, ErasureCounts>;
  /** Per container: blobs rewritten (users file lines dropped, rejections redacted). */
  blobs: Record<string, number>;
  /** Export blobs (raw input) that still name the person after the erasure (not rewritten: see `exports`). */
  exportsNamingPerson: string[];
  /** Export blobs that could not be searched (compressed, UTF-16). */
  exportsNotSearched: number;
  /** Per export blob: rewritten without the person (rows removed, new ETag), or why not. */
  exports: ExportErasure;
}

export interface EraseDeps {
  store: Store;
  /** In pseudonymised mode: the person's pseudonyms are erased too. */
  pseudonymizer?: Pseudonymizer | undefined;
  /** Where the summary line goes (counts only). */
  log?: { info(message: string): void };
  /**
   * Called with the person's identifiers before anything is deleted (the Log Analytics purge queues them there, so
   * that an erasure cut short and sent again still purges by the identifiers that only the deleted rows linked).
   */
  onIdentifiers?: (identifiers: readonly string[]) => Promise<void>;
  /** What happens to the export blobs naming the person (default: rewritten without them). */
  exports?: ExportErasureOptions;
}

export class ErasureInputError extends Error {
  override name = 'ErasureInputError';
}

/** Checks the id or UPN of the person to erase; throws ErasureInputError with a message a person can act on. */
export function checkPersonId(value: string | undefined): string {
  const id = (value ?? '').trim();
  if (id.length < 3)
    throw new ErasureInputError(
      'give the object id or the UPN (or e-mail) of the person to erase (at least 3 characters)',
    );
  if (id.length > 1024 || [...id].some((c) => c.charCodeAt(0) < 0x20))
    throw new ErasureInputError('the object id or UPN is too long or holds control characters');
  return id;
}

/** The person's identifiers: the one given, its pseudonym, and the ids and UPNs linked to it in the records and users table. */
export async function personIdentifiers(
  store: Store,
  given: string,
  pseudonymizer?: Pseudonymizer,
): Promise<Set<string>> {
  const ids = new Set<string>([given.toLowerCase()]);
  if (pseudonymizer !== undefined) ids.add(pseudonymizer.of(given).toLowerCase());
  // Two rounds: an id leads to a UPN, which may lead to another id (a guest seen under two ids).
  for (let round = 0; round < 2; round++) {
    for (const id of [...ids]) {
      const exact = [id, given].map(stringLiteral);
      const sessionFilter = exact
        .flatMap((v) => [
          `attUpnLower eq ${v}`,
          `attUserObjectId eq ${v}`,
          `organizerLower eq ${v}`,
          `organizerId eq ${v}`,
        ])
        .join(' or ');
      const select = ['attUpn', 'attUserObjectId', 'organizerUpn', 'organizerId'];
      for await (const page of pagesOf(store.sessions.client, sessionFilter, { select })) {
        for (const e of page) {
          const pairs: Array<[unknown, unknown]> = [
            [e['attUpn'], e['attUserObjectId']],
            [e['organizerUpn'], e['organizerId']],
          ];
          for (const [upn, oid] of pairs) {
            if (
              typeof upn === 'string' &&
              typeof oid === 'string' &&
              (ids.has(upn.toLowerCase()) || ids.has(oid.toLowerCase()))
            ) {
              if (upn !== '') ids.add(upn.toLowerCase());
              if (oid !== '') ids.add(oid.toLowerCase());
            }
          }
        }
      }
    }
    for (const user of await store.users.listAll()) {
      const forms = [user.uuid, user.email, user.directory?.userPrincipalName ?? '', user.directory?.mail ?? '']
        .filter((f) => f !== '')
        .map((f) => f.toLowerCase());
      if (forms.some((f) => ids.has(f))) for (const f of forms) ids.add(f);
    }
  }
  return ids;
}

type Scrubber = (entity: StoredEntity, person: PersonMatcher) => ScrubAction;

/** How each table's entities are scrubbed (every table of names.json has an entry, so none is forgotten). */
const SCRUBBERS: Record<keyof TableNames, Scrubber> = {
  sessions: scrubSession,
  meetings: (e, p) => (isBundleKey(e.rowKey) ? scrubBundle(e, p) : redactEntity(e, p)),
  ledger: redactEntity,
  marks: redactEntity,
  disconnections: scrubDisconnection,
  meetingResults: redactEntity,
  aggregates: scrubAggregate,
  users: scrubUser,
  collectorState: redactEntity,
  tokenKeys: redactEntity,
  logExports: redactEntity,
  // The queue of Log Analytics purges holds identifiers until their purge is submitted: it is what erases them there.
  logPurges: () => ({ kind: 'keep' }),
};

async function scrubTable(client: TableClient, scrub: Scrubber, person: PersonMatcher): Promise<ErasureCounts> {
  const counts: ErasureCounts = { deleted: 0, rewritten: 0 };
  // Small pages: a session bundle can be close to 1 MiB.
  for await (const page of pagesOf(client, undefined, { pageSize: 50 })) {
    const deletions: StoredEntity[] = [];
    for (const entity of page) {
      const action = scrub(entity, person);
      if (action.kind === 'delete') deletions.push(entity);
      else if (action.kind === 'merge') {
        await client.updateEntity(action.properties, 'Merge');
        counts.rewritten++;
      }
    }
    counts.deleted += await deleteEntities(client, deletions);
  }
  return counts;
}

async function scrubContainer(
  container: ContainerClient,
  person: PersonMatcher,
  lineBasedBlob?: string,
): Promise<number> {
  let rewritten = 0;
  if (!(await container.exists())) return 0;
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
    const client = container.getBlockBlobClient(blob.name);
    const text = (await client.downloadToBuffer()).toString('utf8');
    const scrubbed = scrubText(text, person, blob.name === lineBasedBlob);
    if (scrubbed === text) continue;
    const stored = uploadedAt({ lastModified: blob.properties.lastModified, metadata: blob.metadata });
    await client.uploadData(Buffer.from(scrubbed, 'utf8'), {
      blobHTTPHeaders: { blobContentType: blob.properties.contentType ?? 'text/plain; charset=utf-8' },
      // Retention keeps counting from the first upload, not from this rewrite.
      metadata: { ...blob.metadata, [UPLOADED_AT_METADATA]: new Date(stored).toISOString() },
    });
    rewritten++;
  }
  return rewritten;
}

/** Erases one person (by object id, UPN or e-mail) from every table and the rejects and config containers. */
export async function erasePerson(deps: EraseDeps, objectIdOrUpn: string): Promise<ErasureResult> {
  const { store } = deps;
  const given = checkPersonId(objectIdOrUpn);
  const person = new PersonMatcher(await personIdentifiers(store, given, deps.pseudonymizer));
  await deps.onIdentifiers?.(person.identifiers);
  const tables: Record<string, ErasureCounts> = {};
  for (const key of Object.keys(SCRUBBERS) as Array<keyof TableNames>) {
    tables[key] = await scrubTable(store.clients.table(store.names.tables[key]), SCRUBBERS[key], person);
  }
  // The users table changed through its client: no report may serve the person from a shared read.
  store.users.forgetSharedReads();
  const blobs = {
    rejects: await scrubContainer(store.rejects.container, person),
    config: await scrubContainer(store.config.container, person, store.config.names.users),
  };
  const exports = await eraseFromExports(store.exports, person.identifiers, {
    mode: 'rewrite',
    ...deps.exports,
  });
  const namingPerson = exports.notRewritten.filter((e) => e.searched).map((e) => e.blob);
  const deleted = Object.values(tables).reduce((n, c) => n + c.deleted, 0);
  const rewritten = Object.values(tables).reduce((n, c) => n + c.rewritten, 0);
  deps.log?.info(
    `erasure: ${person.identifiers.length} identifiers; ${deleted} entities deleted, ${rewritten} rewritten, ` +
      `${blobs.rejects + blobs.config} blobs rewritten; ${exports.rewritten.length} export blobs rewritten ` +
      `(${exports.rewritten.reduce((n, e) => n + e.recordsRemoved, 0)} records removed); ` +
      `${exports.notRewritten.length} export blobs not rewritten (${namingPerson.length} of them name the person)`,
  );
  return {
    identifiers: person.identifiers.length,
    tables,
    blobs,
    exportsNamingPerson: namingPerson,
    exportsNotSearched: exports.notRewritten.length - namingPerson.length,
    exports,
  };
}
