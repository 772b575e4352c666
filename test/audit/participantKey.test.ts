import { test } from 'node:test';
import assert from 'node:assert/strict';
import { participantKey } from '../../src/audit/participantKey.js';

test('UserObjectId wins, verbatim, with high confidence', () => {
  assert.deepEqual(participantKey({ userObjectId: 'ABC-1', upn: 'a@b.c', displayName: 'A' }), {
    key: 'ABC-1',
    confidence: 'high',
    source: 'UserObjectId',
  });
});

test('without UserObjectId the UPN is used, lower-cased so letter case does not split a person', () => {
  const a = participantKey({ upn: 'Anna.Smith@Contoso.com', displayName: 'Anna' });
  const b = participantKey({ upn: 'anna.smith@contoso.com' });
  assert.deepEqual(a, { key: 'anna.smith@contoso.com', confidence: 'high', source: 'UPN' });
  assert.equal(a.key, b.key);
});

test('a display name is used unmodified (commas kept) with low confidence', () => {
  assert.deepEqual(participantKey({ displayName: 'Frank, External', recipientType: 'Anonymous' }), {
    key: 'Frank, External',
    confidence: 'low',
    source: 'DisplayName',
  });
  assert.deepEqual(participantKey({ displayName: 'teamsvisitor:abc' }).source, 'DisplayName');
});

test('empty values are skipped; nothing at all gives key ""', () => {
  assert.equal(participantKey({ userObjectId: '', upn: '', displayName: 'Bob' }).source, 'DisplayName');
  assert.deepEqual(participantKey({ role: '1' }), { key: '', confidence: 'low', source: 'none' });
});
