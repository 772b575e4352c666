import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnTalaOrganizers, learnUsers, UsersDatabase } from '../../src/analysis/userDirectory.js';
import { userRows } from '../../src/reports/users.js';
import { meetingDetail, session } from './records.fixture.js';

test('parse: tala format, stripped lines, extra fields ignored, later duplicate overwrites in place', () => {
  const db = UsersDatabase.parse(
    '\uFEFFa,a@x.example\r\n  b , b@x.example ,extra\nc,c@x.example\na,a2@x.example\n',
    'u.csv',
  );
  assert.deepEqual(db.errors, []);
  assert.equal(db.get('a'), 'a2@x.example');
  assert.equal(db.get('b '), ' b@x.example '); // only the line is stripped, not the fields (as tala)
  assert.equal(db.serialise(), 'a,a2@x.example\nb , b@x.example \nc,c@x.example\n');
});

test('parse: blank and comma-less lines are errors with file and line, never the content', () => {
  const db = UsersDatabase.parse('a,a@x.example\n\nsecret@x.example\n   \nb,b@x.example', 'u.csv');
  assert.deepEqual(db.errors, [
    { file: 'u.csv', line: 2, reason: 'blank line (expected uuid,email)' },
    { file: 'u.csv', line: 3, reason: 'no comma (expected uuid,email)' },
    { file: 'u.csv', line: 4, reason: 'blank line (expected uuid,email)' },
  ]);
  assert.equal(db.size, 2);
});

test('an empty key is accepted (tala writes one for a meeting without UserKey)', () => {
  const db = UsersDatabase.parse(',someone@x.example\n', 'u.csv');
  assert.equal(db.get(''), 'someone@x.example');
});

test('learning never changes an existing entry and refuses values that would break the file', () => {
  const db = UsersDatabase.parse('a,a@x.example\n', 'u.csv');
  assert.equal(db.learn('a', 'other@x.example', 'organizer'), false);
  assert.equal(db.get('a'), 'a@x.example');
  assert.equal(db.learn('b', 'b@x.example', 'attendee'), true);
  assert.equal(db.learn('c', 'c,d@x.example', 'attendee'), false);
  assert.equal(db.learn('d\n', 'd@x.example', 'attendee'), false);
  assert.equal(db.added, 1);
  assert.deepEqual(userRows(db), [
    { uuid: 'a', email: 'a@x.example', origin: 'file', added: false },
    { uuid: 'b', email: 'b@x.example', origin: 'attendee', added: true },
  ]);
});

test('case-insensitive lookup and learning when asked (tala matches exactly)', () => {
  const exact = UsersDatabase.parse('ABC,a@x.example\n', 'u.csv');
  assert.equal(exact.get('abc'), undefined);
  const folded = UsersDatabase.parse('ABC,a@x.example\n', 'u.csv', { caseInsensitive: true });
  assert.equal(folded.get('abc'), 'a@x.example');
  assert.equal(folded.learn('abc', 'b@x.example', 'organizer'), false);
});

test('learnUsers: organisers (UserKey → UserId) and attendee UPNs (UserObjectId → UPN), in record order', () => {
  const db = new UsersDatabase();
  const added = learnUsers(db, [
    meetingDetail('m1', '2024-01-01T10:00:00', '2024-01-01T11:00:00', 'boss@x.example'),
    session({
      join: '2024-01-01T10:00:00',
      leave: '2024-01-01T10:10:00',
      organizerId: 'org-id',
      attendee: { userObjectId: 'u1', upn: 'u1@x.example' },
    }),
    session({ join: '2024-01-01T10:00:00', leave: '2024-01-01T10:10:00', attendee: { displayName: 'Guest' } }),
    session({
      join: '2024-01-01T10:00:00',
      leave: '2024-01-01T10:10:00',
      organizerId: '',
      attendee: { userObjectId: 'u2' },
    }),
  ]);
  assert.equal(added, 2);
  assert.deepEqual(
    userRows(db).map((r) => [r.uuid, r.email, r.origin]),
    [
      ['org-id', 'boss@x.example', 'organizer'],
      ['u1', 'u1@x.example', 'attendee'],
    ],
  );
});

test('tala rule: only organisers, in meeting order, even with an empty key or e-mail', () => {
  const db = new UsersDatabase();
  learnTalaOrganizers(db, [
    { organizerId: 'k1', organizerEmail: 'one@x.example' },
    { organizerId: '', organizerEmail: 'nokey@x.example' },
    { organizerId: 'k1', organizerEmail: 'changed@x.example' },
    { organizerId: 'k2', organizerEmail: '' },
  ]);
  assert.equal(db.serialise(), 'k1,one@x.example\n,nokey@x.example\nk2,\n');
});

test('save writes only when something was added since the last save', () => {
  const db = UsersDatabase.parse('', 'users.csv');
  const written: string[] = [];
  const write = (content: string): void => {
    written.push(content);
  };
  assert.equal(db.save(write), 'unchanged');
  db.learn('k', 'k@x.example', 'organizer');
  assert.equal(db.save(write), 'written');
  assert.deepEqual(written, ['k,k@x.example\n']);
  // nothing new since the last save: nothing is written again
  assert.equal(db.save(write), 'unchanged');
  assert.equal(written.length, 1);
});

test('a file with unreadable lines is never rewritten', () => {
  const db = UsersDatabase.parse('a,a@x.example\n\n', 'users.csv');
  db.learn('b', 'b@x.example', 'organizer');
  assert.equal(
    db.save(() => assert.fail('must not write')),
    'kept-because-of-errors',
  );
  assert.equal(db.get('b'), 'b@x.example'); // still used for this run's output
});
