// Erasure of one person (src/storage/erasure.ts) on Azurite, through the route's answer and the CLI: afterwards
// no entity of any table, no rejects blob and no users-file line holds the person's object id, UPN or e-mail;
// other people's records stay; a second run changes nothing; the log names no identifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Pseudonymizer } from '../../src/audit/pseudonymize.js';
import { answerErasure, answerPseudonyms, type AdminDeps } from '../../src/pipeline/http/eraseRoute.js';
import type { ErasureResult } from '../../src/storage/erasure.js';
import { runErase } from '../../src/cli/erase.js';
import type { Store } from '../../src/storage/store.js';
import { testConnectionString } from '../storage/testStore.js';
import { jsonBody } from '../support/jsonBody.js';
import { dumpTable } from './pipelineFixtures.js';
import { analysedStore, scanStore } from './privacyFixtures.js';

const KEY = 'erase-test-key-0123456789abcdef-0123456789';

interface Person {
  oid: string;
  upn: string;
}

/** The attendee with the most sessions who also organises a meeting, else the attendee with the most sessions. */
function pickPerson(lines: readonly string[]): Person & { organises: boolean } {
  const sessions = new Map<string, { person: Person; n: number }>();
  const organisers = new Set<string>();
  for (const line of lines) {
    const r = JSON.parse(line) as { UserKey?: string; Attendees?: Array<{ UserObjectId?: string; UPN?: string }> };
    if (r.UserKey) organisers.add(r.UserKey.toLowerCase());
    for (const a of r.Attendees ?? []) {
      if (!a.UserObjectId || !a.UPN) continue;
      const entry = sessions.get(a.UserObjectId) ?? { person: { oid: a.UserObjectId, upn: a.UPN }, n: 0 };
      entry.n++;
      sessions.set(a.UserObjectId, entry);
    }
  }
  const ranked = [...sessions.values()].sort((x, y) => y.n - x.n);
  const both = ranked.find((e) => organisers.has(e.person.oid.toLowerCase()));
  const chosen = (both ?? ranked[0]!).person;
  return { ...chosen, organises: both !== undefined };
}

function mentions(texts: Array<{ where: string; text: string }>, values: string[]): string[] {
  return texts.filter((t) => values.some((v) => t.text.toLowerCase().includes(v.toLowerCase()))).map((t) => t.where);
}

function capture(): { lines: string[]; log: AdminDeps['log'] } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) } };
}

async function seedExtras(store: Store, person: Person): Promise<void> {
  // The users file, a rejects blob and a ledger sample that name the person.
  await store.config.container
    .getBlockBlobClient(store.config.names.users)
    .upload(
      `uuid,email\n${person.oid},${person.upn}\n00000000-0000-0000-0000-000000000001,someone.else@contoso.com\n`,
      100,
    );
  await store.rejects.write('p.ndjson', undefined, [
    { file: 'p.ndjson', line: 9, field: 'AuditData.UPN', reason: `bad value "${person.upn}"` },
  ]);
  const entry = (await store.ledger.listForBlob('p.ndjson'))[0]!;
  await store.ledger.put({
    ...entry,
    firstRejections: [{ file: 'p.ndjson', line: 9, field: 'AuditData.UPN', reason: `bad value "${person.upn}"` }],
  });
}

test('erasure by UPN: nothing in any table, rejects blob or users file names the person; the rest stays; again changes nothing', async () => {
  const { store, lines } = await analysedStore('er', { seed: 47 });
  const person = pickPerson(lines);
  assert.ok(person.organises, 'the chosen person attends and organises');
  await seedExtras(store, person);
  const outsideExports = async () =>
    (await scanStore(store)).filter((s) => !s.where.startsWith(store.names.containers.exports + '/'));
  const before = mentions(await outsideExports(), [person.oid, person.upn]);
  assert.ok(before.length > 5, `the person is stored before: ${before.length}`);
  const sessionsBefore = (await dumpTable(store.sessions.client)).length;
  const theirs = (await dumpTable(store.sessions.client)).filter(
    (e) => String(e['attUserObjectId']).toLowerCase() === person.oid.toLowerCase(),
  ).length;

  const { lines: log, log: logger } = capture();
  const deps: AdminDeps = { store, log: logger, pseudonymizer: () => undefined };
  const response = await answerErasure({ id: person.upn.toUpperCase(), query: {} }, deps);
  assert.equal(response.status, 200, response.body);
  const result = jsonBody<ErasureResult>(response);
  assert.equal(
    mentions(await outsideExports(), [person.oid, person.upn]).join(', '),
    '',
    'no entity or blob names the person',
  );
  assert.equal(result.tables['sessions']!.deleted, theirs, 'their sessions are deleted');
  assert.ok(
    result.tables['sessions']!.rewritten > 0,
    'sessions of meetings they organised keep their attendees, organiser erased',
  );
  assert.equal(
    (await dumpTable(store.sessions.client)).length,
    sessionsBefore - theirs,
    "other people's sessions stay",
  );
  assert.ok(
    result.tables['users']!.deleted >= 1 &&
      result.tables['disconnections']!.deleted + result.tables['aggregates']!.rewritten > 0,
  );
  assert.equal(result.blobs['rejects'], 1);
  assert.equal(result.blobs['config'], 1);
  assert.ok(result.tables['ledger']!.rewritten >= 1, "the ledger's rejection sample is redacted");
  assert.deepEqual(
    result.exports.rewritten.map((e) => e.blob),
    ['p.ndjson'],
    'the raw export is rewritten without the person, and the answer says so',
  );
  assert.deepEqual(result.exportsNamingPerson, [], 'no export blob names the person any more');
  const usersFile = (await store.config.container.getBlobClient(store.config.names.users).downloadToBuffer()).toString(
    'utf8',
  );
  assert.match(usersFile, /someone\.else@contoso\.com/, 'other users-file lines stay');
  for (const message of log)
    assert.ok(
      !message.toLowerCase().includes(person.upn.toLowerCase()) &&
        !message.toLowerCase().includes(person.oid.toLowerCase()),
      `the log names no identifier: ${message}`,
    );

  const again = jsonBody<ErasureResult>(await answerErasure({ id: person.oid, query: {} }, deps));
  assert.ok(
    Object.values(again.tables).every((c) => c.deleted === 0 && c.rewritten === 0),
    `nothing left to erase: ${JSON.stringify(again.tables)}`,
  );
});

test('erasure in pseudonymised mode: given the UPN in clear, its pseudonym is erased; the CLI does the same', async () => {
  const pseudonymizer = new Pseudonymizer(KEY);
  const { store, lines } = await analysedStore('erp', { seed: 53, pseudonymizer });
  const person = pickPerson(lines);
  const forms = [pseudonymizer.of(person.oid), pseudonymizer.of(person.upn)];
  assert.ok(mentions(await scanStore(store), forms).length > 0);
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _e, done) {
        into.push(String(chunk));
        done();
      },
    });
  const status = await runErase(
    [person.upn, '--connection-string', testConnectionString()],
    { stdout: sink(out), stderr: sink(err) },
    {
      names: store.names,
      env: { PSEUDONYMIZE_USERS: 'true', PSEUDONYM_KEY: KEY },
    },
  );
  assert.equal(status, 0, err.join(''));
  const result = JSON.parse(out.join('')) as ErasureResult;
  assert.ok(result.tables['sessions']!.deleted > 0);
  assert.equal(mentions(await scanStore(store), forms).join(', '), '', "no entity holds the person's pseudonyms");
  assert.deepEqual(
    mentions(await scanStore(store), [person.oid, person.upn]),
    [],
    'the export is rewritten without the person in clear: the object id is learned from its records',
  );
  assert.equal(result.exports.rewritten.length, 1);
  assert.equal(
    await runErase([], { stdout: sink(out), stderr: sink(err) }, { names: store.names }),
    2,
    'no person named: usage error',
  );
  assert.match(err.join(''), /name exactly one person/);
});

test('erasure and pseudonym routes refuse bad requests with 400/409 and a message', async () => {
  const { store } = await analysedStore('erq', { records: 100, seed: 3 });
  const off: AdminDeps = { store, pseudonymizer: () => undefined };
  const short = await answerErasure({ id: 'a', query: {} }, off);
  assert.equal(short.status, 400);
  assert.match(short.body, /object id or the UPN/);
  const withQuery = await answerErasure({ id: 'ann@contoso.com', query: { force: '1' } }, off);
  assert.equal(withQuery.status, 400);
  assert.equal(answerPseudonyms('{"candidates":["a@b.c"]}', off).status, 409, 'nothing is pseudonymised');

  const p = new Pseudonymizer(KEY);
  const on: AdminDeps = { store, pseudonymizer: () => p };
  assert.equal(answerPseudonyms('not json', on).status, 400);
  assert.equal(answerPseudonyms('{"candidates":[]}', on).status, 400);
  const answered = answerPseudonyms(
    JSON.stringify({ candidates: ['Ann@Contoso.com', 'bob@contoso.com'], pseudonym: p.of('ann@contoso.com') }),
    on,
  );
  assert.equal(answered.status, 200);
  const body = JSON.parse(answered.body) as {
    items: Array<{ candidate: string; pseudonym: string }>;
    matches: string[];
  };
  assert.deepEqual(
    body.items.map((i) => i.pseudonym),
    [p.of('ann@contoso.com'), p.of('bob@contoso.com')],
  );
  assert.deepEqual(body.matches, ['Ann@Contoso.com']);
});
