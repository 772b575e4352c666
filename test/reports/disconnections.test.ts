import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  disconnectionRows,
  DISCONNECTION_CSV_COLUMNS,
  DISCONNECTION_FIELDS,
} from '../../src/reports/disconnections.js';
import { renderCsv } from '../../src/reports/render/csv.js';
import { renderDisconnectionsText } from '../../src/reports/render/text.js';
import { matchesCidrs } from '../../src/analysis/siteMap.js';
import { IpRegexFilter } from '../../src/analysis/safeRegex.js';
import { scenario } from './scenario.fixture.js';

function inputs() {
  return scenario().analysed.map((a) => ({
    analysis: a.analysis,
    organizerEmail: a.meeting.detail?.organizerUpn ?? a.meeting.sessions[0]!.organizerUpn,
  }));
}

test('default list: strong/probable only; the possible band needs includePossible', () => {
  const rows = disconnectionRows(inputs());
  assert.equal(rows.length, 1);
  const r = rows[0]!;
  assert.equal(r.meetingId, 'M1');
  assert.equal(r.organizerEmail, 'boss@contoso.example');
  assert.equal(r.participantKey, 'u1');
  assert.equal(r.email, 'u1@contoso.example');
  assert.equal(r.displayName, 'User One');
  assert.equal(r.kind, 'drop');
  assert.equal(r.band, 'strong');
  assert.equal(r.counted, true);
  assert.equal(r.leaveTime, '2024-03-05T10:20:00Z');
  assert.equal(r.rejoinTime, '2024-03-05T10:20:30Z');
  assert.equal(r.gapSeconds, 30);
  assert.equal(r.ipBefore, '10.57.1.20');
  assert.equal(r.ipAfter, '10.57.1.21');
  assert.equal(r.ipChanged, true);
  assert.equal(r.siteBefore, 'unmapped');
  assert.equal(r.siteChanged, false);
  assert.equal(r.massEventId, '');
  assert.equal(r.lostRecordId, 'r-u1-a');
  assert.equal(r.rejoinRecordId, 'r-u1-b');
  assert.ok(r.reason.length > 0);

  const all = disconnectionRows(inputs(), { includePossible: true });
  assert.deepEqual(
    all.map((x) => [x.participantKey, x.band, x.counted, x.gapSeconds]),
    [
      ['u1', 'strong', true, 30],
      ['u2', 'possible', false, 480],
    ],
  );
});

test('-i regex and --ip networks select by the lost session’s IP', () => {
  const keep = (ipRegex?: string, cidrs?: string[]) =>
    disconnectionRows(inputs(), {
      includePossible: true,
      ...(ipRegex ? { ipRegex: IpRegexFilter.compile(ipRegex) } : {}),
      ...(cidrs ? { ipNetwork: (ip: string) => matchesCidrs(ip, cidrs) } : {}),
    }).map((r) => r.participantKey);
  assert.deepEqual(keep('^10\\.57\\.1\\.20$'), ['u1']); // u1 was lost on .20 (came back on .21)
  assert.deepEqual(keep('^10\\.57\\.1\\.21$'), []);
  assert.deepEqual(keep('^192\\.'), ['u2']);
  assert.deepEqual(keep(undefined, ['10.57.1.20/32']), ['u1']);
  assert.deepEqual(keep(undefined, ['192.168.0.0/16', '10.0.0.0/8']), ['u1', 'u2']);
  assert.deepEqual(keep(undefined, ['10.58.0.0/16']), []);
  assert.deepEqual(keep('^10\\.', ['192.168.0.0/16']), []); // both filters apply
});

test('CSV columns are the documented fields; text groups by meeting and counts hidden possible drops', () => {
  const rows = disconnectionRows(inputs());
  assert.equal(renderCsv(rows, DISCONNECTION_CSV_COLUMNS).split('\r\n')[0], DISCONNECTION_FIELDS.join(','));
  const text = renderDisconnectionsText(rows, 1);
  assert.match(text, /^Meeting M1 \(organizer boss@contoso\.example\): 1 disconnection\n/);
  assert.match(text, /\n {2}u1@contoso\.example \[human, windows\]\n/);
  assert.match(text, /\n {4}2024-03-05T10:20:00Z -> 10:20:30 {2}gap 30 s {2}strong, counted\n/);
  assert.match(
    text,
    /1 disconnection listed \(1 counted\) in 1 meeting; 1 in the possible band not shown \(--include possible\)\n$/,
  );
  assert.equal(renderDisconnectionsText([]), '0 disconnections listed (0 counted) in 0 meetings\n');
});
