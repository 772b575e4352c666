import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attendeeRows } from '../../src/reports/attendees.js';
import { UsersDatabase } from '../../src/analysis/userDirectory.js';
import { scenario } from './scenario.fixture.js';

test('one row per session: participants by first join, sessions by join, class/platform/site/device', () => {
  const rows = attendeeRows(scenario().analysed.map((a) => a.analysis));
  assert.deepEqual(
    rows.map((r) => [r.meetingId, r.participantKey, r.joinTime.slice(11, 19), r.participantClass, r.platform]),
    [
      ['M1', 'u1', '10:00:00', 'human', 'windows'],
      ['M1', 'u1', '10:20:30', 'human', 'windows'],
      ['M1', 'b1902c3e-b9f7-4650-9b23-5772bd429747', '10:00:05', 'bot', 'service'],
      ['M1', 'u2', '10:01:00', 'human', 'macOS'],
      ['M1', 'u2', '10:38:00', 'human', 'macOS'],
      ['M1', '+1 555 0100', '10:05:00', 'phone', 'pstn'],
      ['M2', 'u1', '14:00:00', 'human', 'windows'],
    ],
  );
  const first = rows[0]!;
  assert.equal(first.email, 'u1@contoso.example');
  assert.equal(first.displayName, 'User One');
  assert.equal(first.recipientType, 'User');
  assert.equal(first.keyConfidence, 'high');
  assert.equal(first.durationSeconds, 1200);
  assert.equal(first.clientIp, '10.57.1.20');
  assert.equal(first.site, 'unmapped'); // no site map
  assert.equal(first.deviceInformation, 'Windows 10');
  assert.equal(first.deviceKey, 'dev:windows 10|CallSignalingAgent');
  assert.equal(first.userAgent, 'CallSignalingAgent (49/1.0//;release)');
  assert.equal(first.recordId, 'r-u1-a');
  assert.match(first.source, /^test\.csv:\d+$/);
  const phone = rows.find((r) => r.participantClass === 'phone')!;
  assert.equal(phone.site, 'no IP');
  assert.equal(phone.keyConfidence, 'low');
});

test('e-mail: the UPN, else the users database entry for the UserObjectId', () => {
  const users = UsersDatabase.parse('u2,u2@contoso.example\n', 'u.csv');
  const rows = attendeeRows(
    scenario().analysed.map((a) => a.analysis),
    users,
  );
  assert.equal(rows.find((r) => r.participantKey === 'u2')!.email, 'u2@contoso.example');
  assert.equal(rows.find((r) => r.participantKey === 'u1')!.email, 'u1@contoso.example');
  assert.equal(rows.find((r) => r.participantClass === 'phone')!.email, '');
});
