// Names and addresses from a directory (Microsoft Graph) in the report rows: a guest's mail rather than its #EXT# UPN,
// a record's own display name and UPN first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryEmail, type DirectoryName, type UsersLookup } from '../../src/analysis/userDirectory.js';
import { namedMeetingRow, type MeetingRow } from '../../src/reports/meetings.js';

const base: DirectoryName = {
  status: 'found',
  displayName: 'X',
  userPrincipalName: '',
  mail: '',
  userType: 'Member',
  checkedAt: '',
};

test("the address of a directory entry: a member's UPN, a guest's mail; none for an id not in the tenant", () => {
  assert.equal(
    directoryEmail({ ...base, userPrincipalName: 'ann@contoso.com', mail: 'ann.b@contoso.com' }),
    'ann@contoso.com',
  );
  assert.equal(
    directoryEmail({
      ...base,
      userType: 'Guest',
      userPrincipalName: 'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      mail: 'gus@fabrikam.com',
    }),
    'gus@fabrikam.com',
  );
  assert.equal(
    directoryEmail({
      ...base,
      userType: 'Guest',
      userPrincipalName: 'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      mail: '',
    }),
    'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  );
  assert.equal(directoryEmail({ ...base, status: 'notInTenant' }), '');
  assert.equal(directoryEmail(undefined), '');
});

test("a meeting row gets its organiser's name from the lookup, '' when unknown", () => {
  const users: UsersLookup = { get: () => undefined, name: (id) => (id === 'org-1' ? 'Olga' : undefined) };
  const row = { meetingId: 'm', organizerId: 'org-1', organizerEmail: 'o@contoso.com' } as MeetingRow;
  assert.equal(namedMeetingRow(row, users).organizerName, 'Olga');
  assert.equal(namedMeetingRow({ ...row, organizerId: 'org-2' }, users).organizerName, '');
  assert.equal(namedMeetingRow(row, { get: () => undefined }).organizerName, '', 'a lookup without names');
});
