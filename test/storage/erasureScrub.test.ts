// What erasure does to single entities and texts (src/storage/erasureScrub.ts): identifiers matched in any letter
// case, split strings redacted whole (a mention across two parts is found), bundles and per-user aggregates
// rewritten without the person, the users file's lines dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardEntity, readSplitString, MAX_STRING_CHARS } from '../../src/storage/entityGuards.js';
import {
  ERASED,
  PersonMatcher,
  redactEntity,
  scrubAggregate,
  scrubBundle,
  scrubSession,
  scrubText,
} from '../../src/storage/erasureScrub.js';
import type { StoredEntity } from '../../src/storage/purge.js';

const person = new PersonMatcher(['Ann@Contoso.com', '6f1c0f5e-2f7a-4c1e-9a7e-0d6b4f1a2b3c']);

test('a mention split across two parts of a long string is found and the whole string redacted', () => {
  const filler = 'x'.repeat(MAX_STRING_CHARS - 5);
  const long = `${filler}ann@contoso.com and more`;
  const entity = guardEntity({ partitionKey: 'p', rowKey: 'r', data: long }, { splittable: ['data'] })
    .entity as StoredEntity;
  assert.ok(typeof entity['data__parts'] === 'number', 'stored in parts');
  assert.ok(!String(entity['data']).includes('ann@contoso.com'), 'the mention spans the parts');
  const action = redactEntity(entity, person);
  assert.equal(action.kind, 'merge');
  const merged = { ...entity, ...(action.kind === 'merge' ? action.properties : {}) };
  assert.equal(readSplitString(merged, 'data'), `${filler}${ERASED} and more`);
});

test("sessions: the attendee's are deleted, the organiser's mentions redacted, others kept", () => {
  assert.equal(scrubSession({ partitionKey: 'm', rowKey: '1', attUpn: 'ANN@contoso.com' }, person).kind, 'delete');
  const organised = scrubSession(
    { partitionKey: 'm', rowKey: '2', attUpn: 'bob@contoso.com', organizerUpn: 'ann@contoso.com' },
    person,
  );
  assert.deepEqual(organised, { kind: 'merge', properties: { partitionKey: 'm', rowKey: '2', organizerUpn: ERASED } });
  assert.equal(scrubSession({ partitionKey: 'm', rowKey: '3', attUpn: 'bob@contoso.com' }, person).kind, 'keep');
});

test("bundles and per-user aggregates lose the person's entries; empty ones are deleted", () => {
  const bundle = {
    partitionKey: 'm',
    rowKey: '~~b|s|1',
    count: 2,
    sessions: JSON.stringify([
      { rowKey: '1', attUserObjectId: '6F1C0F5E-2F7A-4C1E-9A7E-0D6B4F1A2B3C' },
      { rowKey: '2', attUpn: 'bob@contoso.com' },
    ]),
  };
  const scrubbed = scrubBundle(bundle, person);
  assert.equal(scrubbed.kind, 'merge');
  assert.deepEqual(JSON.parse(String(scrubbed.kind === 'merge' ? scrubbed.properties['sessions'] : '')), [
    { rowKey: '2', attUpn: 'bob@contoso.com' },
  ]);
  assert.equal(
    scrubBundle({ ...bundle, sessions: JSON.stringify([{ rowKey: '1', attUpn: 'ann@contoso.com' }]) }, person).kind,
    'delete',
  );
  const aggregate = {
    partitionKey: '2026-03-02',
    rowKey: 'user|m|0000',
    dimension: 'user',
    count: 2,
    contributions: JSON.stringify([
      ['ann@contoso.com', 3, 1, 60, 1],
      ['bob@contoso.com', 2, 0, 0, 1],
    ]),
  };
  const agg = scrubAggregate(aggregate, person);
  assert.equal(agg.kind, 'merge');
  assert.deepEqual(JSON.parse(String(agg.kind === 'merge' ? agg.properties['contributions'] : '')), [
    ['bob@contoso.com', 2, 0, 0, 1],
  ]);
  assert.equal(
    scrubAggregate(
      { ...aggregate, rowKey: 'site|m|0000', dimension: 'site', contributions: '[["Building 1",3,1,60,1]]' },
      person,
    ).kind,
    'keep',
  );
});

test("texts: the users file loses the person's lines; other texts have mentions replaced", () => {
  const usersFile = 'uuid,email\n6f1c0f5e-2f7a-4c1e-9a7e-0d6b4f1a2b3c,ann@contoso.com\n1,bob@contoso.com\n';
  assert.equal(scrubText(usersFile, person, true), 'uuid,email\n1,bob@contoso.com\n');
  assert.equal(
    scrubText('{"reason":"bad value \\"Ann@contoso.com\\""}', person, false),
    `{"reason":"bad value \\"${ERASED}\\""}`,
  );
  assert.equal(
    new PersonMatcher(['ab']).identifiers.length,
    0,
    'identifiers under 3 characters are ignored (they would match anything)',
  );
});
