import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { contentPartition, type CollectorState } from '../../src/storage/collectorState.js';
import { collectorRun as run, freshCollectorState } from './collectorStateFixture.js';

let state: CollectorState;
const TYPE = 'Audit.General';

before(async () => {
  state = await freshCollectorState('collectorstate');
});

test('the position round-trips per content type and is absent at first', async () => {
  assert.equal(await state.lastWindowEnd('Audit.Other'), undefined);
  const end = new Date('2026-03-09T10:00:00.000Z');
  await state.setLastWindowEnd(TYPE, end, new Date());
  assert.equal((await state.lastWindowEnd(TYPE))?.toISOString(), end.toISOString());
  assert.equal(await state.lastWindowEnd('Audit.Other'), undefined);
});

test('the last subscription start attempt is kept', async () => {
  assert.equal(await state.lastSubscriptionStartAttempt(TYPE), undefined);
  const at = new Date('2026-03-09T09:00:00.000Z');
  await state.recordSubscriptionStartAttempt(TYPE, at, 'enabled');
  assert.equal((await state.lastSubscriptionStartAttempt(TYPE))?.toISOString(), at.toISOString());
});

test('fetched content ids are found by the day given for them, whatever characters they hold', async () => {
  const ids = ['20260302080000$a$audit_general$Audit_General$na', 'with/slash#and?query', "quote'id"];
  const now = new Date('2026-03-09T10:00:00Z');
  await state.recordContent(
    {
      contentType: TYPE,
      contentId: ids[0]!,
      day: '2026-03-02',
      contentCreated: '2026-03-02T08:00:00.000Z',
      records: 3,
      blobName: 'b1',
      expired: false,
    },
    now,
  );
  await state.recordContent(
    {
      contentType: TYPE,
      contentId: ids[1]!,
      day: '2026-03-03',
      contentCreated: '2026-03-03T23:59:59.999Z',
      records: 0,
      expired: false,
    },
    now,
  );
  await state.recordContent({ contentType: TYPE, contentId: ids[2]!, day: 'undated', records: 0, expired: true }, now);
  assert.deepEqual([...(await state.fetchedContentIds(TYPE, ['2026-03-02']))], [ids[0]]);
  assert.deepEqual(
    [...(await state.fetchedContentIds(TYPE, ['2026-03-03', 'undated']))].sort(),
    [ids[1], ids[2]].sort(),
  );
  assert.equal((await state.fetchedContentIds(TYPE, ['2026-03-04'])).size, 0);
  assert.equal((await state.fetchedContentIds('Audit.Other', ['2026-03-02'])).size, 0);
  const entity = await state.client.getEntity<Record<string, unknown>>(
    contentPartition(TYPE, '2026-03-02'),
    '~b.' + Buffer.from(ids[0]!).toString('base64url'),
  );
  assert.equal(entity['records'], 3);
  assert.equal(entity['blobName'], 'b1');
});

test('content ids are purged 8 days after their blob was created, not before', async () => {
  const now = new Date('2026-03-20T00:00:00Z');
  await state.recordContent(
    {
      contentType: TYPE,
      contentId: 'old',
      day: '2026-03-11',
      contentCreated: '2026-03-11T23:00:00Z',
      records: 0,
      expired: false,
    },
    now,
  );
  await state.recordContent(
    {
      contentType: TYPE,
      contentId: 'young',
      day: '2026-03-12',
      contentCreated: '2026-03-12T01:00:00Z',
      records: 0,
      expired: false,
    },
    now,
  );
  const purged = await state.purgeExpiredContent(now);
  // Gone: 'old' (created 8 days 1 h before now) and the three ids of the previous test (two created on 2026-03-02/03,
  // one undated and so timed from when it was recorded, 2026-03-09T10:00). Kept: 'young' (7 days 23 h old).
  assert.equal(purged, 4);
  assert.equal((await state.fetchedContentIds(TYPE, ['2026-03-11'])).size, 0);
  assert.deepEqual([...(await state.fetchedContentIds(TYPE, ['2026-03-12']))], ['young']);
  assert.equal((await state.fetchedContentIds(TYPE, ['undated', '2026-03-02', '2026-03-03'])).size, 0);
  assert.equal(await state.purgeExpiredContent(now), 0, 'a second purge finds nothing');
});

test('the run status round-trips and long errors are cut', async () => {
  await state.recordRun(
    run({
      status: 'failed',
      errorKind: 'credentials',
      error: `AADSTS7000215 ${'x'.repeat(3000)}`,
      finishedAt: '2026-03-09T10:00:05.000Z',
    }),
  );
  const failed = await state.lastRun();
  assert.equal(failed?.status, 'failed');
  assert.equal(failed?.errorKind, 'credentials');
  assert.ok(failed.error!.length <= 2001 && failed.error!.startsWith('AADSTS7000215'));
  await state.recordRun(run({ status: 'succeeded' }));
  assert.deepEqual(await state.lastRun(), run({ status: 'succeeded' }));
});
