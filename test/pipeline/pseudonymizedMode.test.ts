// Pseudonymised mode (PSEUDONYMIZE_USERS=true) on Azurite: no UPN, e-mail, object id or display name of the
// export is stored in clear, reports show pseudonyms, and the disconnection counts, totals and site/platform/day
// rankings equal those of normal mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pseudonymizer, isPseudonym } from '../../src/audit/pseudonymize.js';
import { answerReport, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { pseudonymizerFromEnv, PseudonymKeyError } from '../../src/privacyMode.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { ndjson } from './pipelineFixtures.js';
import { analysedStore, scanStore } from './privacyFixtures.js';

const KEY = 'k'.repeat(16) + '0123456789abcdef0123';

/** Every identity an export names: organiser and attendee UPNs, object ids, display names. */
export function identitiesOf(lines: readonly string[]): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
    else if (
      typeof value === 'string' &&
      /^(UserId|UserKey|UPN|UserObjectId|DisplayName)$/.test(key) &&
      value.length >= 6
    )
      found.add(value.toLowerCase());
  };
  for (const line of lines) visit(JSON.parse(line), '');
  return found;
}

async function items(
  store: Store,
  route: string,
  query: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const deps: ReportDeps = { store, config: new CachedConfig(store.config) };
  const r = await answerReport({ route, params: {}, query: { limit: '1000', ...query } }, deps);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Record<string, unknown>;
}

test('pseudonymised mode: no identity of the export is stored in clear; counts and rankings equal normal mode', async () => {
  const pseudonymizer = new Pseudonymizer(KEY);
  const normal = await analysedStore('pn', { seed: 43 });
  const { store, lines } = await analysedStore('pp', { seed: 43, pseudonymizer });
  const identities = identitiesOf(lines);
  assert.ok(identities.size > 20, `the export names people (${identities.size})`);

  // Every table, and the rejects and config containers (the raw export in the exports container is the input
  // itself: retention deletes it after RETENTION_RECORDS_DAYS).
  const stored = (await scanStore(store)).filter((s) => !s.where.startsWith(store.names.containers.exports + '/'));
  assert.ok(stored.length > 100);
  for (const s of stored) {
    const text = s.text.toLowerCase();
    for (const id of identities) assert.ok(!text.includes(id), `${s.where} holds an identity in clear`);
    assert.doesNotMatch(
      s.text,
      /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9])/,
      `${s.where} holds an e-mail address`,
    );
  }
  // The same scan finds them in normal mode (the scan can fail).
  const clear = (await scanStore(normal.store)).filter(
    (s) => !s.where.startsWith(normal.store.names.containers.exports + '/'),
  );
  assert.ok(clear.some((s) => [...identities].some((id) => s.text.toLowerCase().includes(id))));

  // The same disconnections (participants under their pseudonyms), totals and rankings.
  const key = (d: Record<string, unknown>) =>
    `${String(d['meetingId'])}|${String(d['gapSeconds'])}|${String(d['band'])}|${String(d['site'])}`;
  const pd = (await items(store, 'disconnections', { band: 'all' })).items as Array<Record<string, unknown>>;
  const nd = (await items(normal.store, 'disconnections', { band: 'all' })).items as Array<Record<string, unknown>>;
  assert.ok(nd.length > 0);
  assert.deepEqual(pd.map(key).sort(), nd.map(key).sort(), 'the disconnections are those of normal mode');
  assert.deepEqual(
    pd.map((d) => String(d['participantKey'])).sort(),
    nd.map((d) => pseudonymizer.of(String(d['participantKey']))).sort(),
    'participants shown as pseudonyms',
  );
  assert.ok(pd.every((d) => isPseudonym(String(d['participantKey']))));
  assert.deepEqual((await items(store, 'summary')).totals, (await items(normal.store, 'summary')).totals, 'totals');
  for (const groupBy of ['site', 'platform', 'day', 'subnet']) {
    assert.deepEqual(
      await items(store, 'summary', { groupBy }),
      await items(normal.store, 'summary', { groupBy }),
      `${groupBy} ranking`,
    );
  }
  const users = (await items(store, 'summary', { groupBy: 'user' })).items as Array<{ key: string }>;
  assert.ok(users.length > 0 && users.every((u) => isPseudonym(u.key)), 'the user ranking shows pseudonyms');
});

test('pseudonymised mode: on without a usable key, ingestion fails before it stores anything, naming the setting', async () => {
  assert.equal(pseudonymizerFromEnv({}), undefined, 'off by default');
  assert.throws(
    () => pseudonymizerFromEnv({ PSEUDONYMIZE_USERS: 'true' }),
    (e: unknown) => e instanceof PseudonymKeyError && /PSEUDONYM_KEY/.test(e.message),
  );
  assert.throws(() => pseudonymizerFromEnv({ PSEUDONYMIZE_USERS: 'TRUE', PSEUDONYM_KEY: 'short' }), /at least 32/);
  assert.throws(
    () =>
      pseudonymizerFromEnv({
        PSEUDONYMIZE_USERS: 'true',
        PSEUDONYM_KEY: '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/k)',
      }),
    /Key Vault Secrets User/,
  );
  assert.ok(pseudonymizerFromEnv({ PSEUDONYMIZE_USERS: 'true', PSEUDONYM_KEY: KEY }) instanceof Pseudonymizer);

  const store = await freshStore('pk');
  const saved = { mode: process.env.PSEUDONYMIZE_USERS, key: process.env.PSEUDONYM_KEY };
  process.env.PSEUDONYMIZE_USERS = 'true';
  delete process.env.PSEUDONYM_KEY;
  try {
    await assert.rejects(ingestExport({ blobName: 'x.ndjson', content: ndjson(['{}']) }, { store }), PseudonymKeyError);
  } finally {
    if (saved.mode === undefined) delete process.env.PSEUDONYMIZE_USERS;
    else process.env.PSEUDONYMIZE_USERS = saved.mode;
    if (saved.key !== undefined) process.env.PSEUDONYM_KEY = saved.key;
  }
  assert.equal((await scanStore(store)).length, 0, 'nothing stored');
});

test('pseudonyms: keyed, stable, case-insensitive for identities, distinct across keys and people', () => {
  const a = new Pseudonymizer(KEY);
  const b = new Pseudonymizer(KEY.replace('k', 'j'));
  assert.equal(a.of('Ann@Contoso.com'), a.of('ann@contoso.com'));
  assert.notEqual(a.of('ann@contoso.com'), a.of('bob@contoso.com'));
  assert.notEqual(a.of('ann@contoso.com'), b.of('ann@contoso.com'), 'another key, another pseudonym');
  assert.ok(isPseudonym(a.of('x@y.z')));
  assert.equal(a.of(a.of('x@y.z')), a.of('x@y.z'), 'a pseudonym is not pseudonymised twice');
  assert.equal(a.of(''), '');
  assert.throws(() => new Pseudonymizer('too short'), /at least 32 bytes/);
});
