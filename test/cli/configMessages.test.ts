// Messages about the admin's configuration (site map, --ip, rules) show its networks; messages about
// input data still never show a participant's address or an e-mail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Messages } from '../../src/cli/messages.js';
import { csvRow, participant, runCli, V2_HEADER } from './run.fixture.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (t: string) => chunks.push(t) } };
}

test('config* messages keep IP addresses and networks but still hide e-mails; the other methods hide both', () => {
  const { chunks, stream } = sink();
  const msg = new Messages(stream, 1, false);
  msg.configWarning(
    'map.csv:1: NetworkIP: host bits are set (10.1.2.3/16); the network is 10.1.0.0/16, ask ops@contoso.example',
  );
  msg.configCritical("--ip: '2001:db8::1/129' is not a valid CIDR range");
  msg.warning('data.csv:3: AuditData.ClientIP: 10.1.2.3 from x@contoso.example');
  msg.configRowWarning('map.csv', 2, 'NetworkIP', '10.9.0.0/16 is the same range as line 1');
  msg.configRowWarning('map.csv', 3, 'NetworkIP', 'over the cap, counted only');
  assert.deepEqual(chunks, [
    'teams-audit: WARNING: map.csv:1: NetworkIP: host bits are set (10.1.2.3/16); the network is 10.1.0.0/16, ask <e-mail>\n',
    "teams-audit: CRITICAL: --ip: '2001:db8::1/129' is not a valid CIDR range\n",
    'teams-audit: WARNING: data.csv:3: AuditData.ClientIP: <IP> from <e-mail>\n',
    'teams-audit: WARNING: map.csv:2: NetworkIP: 10.9.0.0/16 is the same range as line 1\n',
  ]);
  assert.equal(msg.rowMessages, 2);
});

test('a site-map line with host bits set names the network to write; input rows still hide addresses', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'config-messages-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const map = join(dir, 'buildings.csv');
  writeFileSync(map, '10.1.2.3,Zurich,16,ZRH-1\n10.1.0.0,Zurich,16,ZRH-1\n10.1.0.0/16,Again,,ZRH-1\n');
  const input = join(dir, 'export.csv');
  // a row whose JoinTime is unreadable: rejected, with a message about the row (no address quoted)
  writeFileSync(
    input,
    V2_HEADER +
      csvRow(
        participant({
          Attendees: [{ UserObjectId: 'u1', DisplayName: 'U', ClientIP: '10.1.77.77' }],
          JoinTime: 'soon',
          LeaveTime: '2024-03-05T10:00:00',
        }),
      ),
  );
  const r = runCli(['--report', 'summary', '--site-map', map, input]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /WARNING: .*buildings\.csv:1: NetworkIP: host bits are set \(10\.1\.2\.3\/16\); the network is 10\.1\.0\.0\/16\n/,
  );
  assert.match(r.stderr, /WARNING: .*buildings\.csv:3: NetworkIP: 10\.1\.0\.0\/16 is the same range as line 2/);
  assert.match(r.stderr, /export\.csv:1: /, 'the input row was rejected with a message');
  assert.doesNotMatch(r.stderr, /10\.1\.77\.77|contoso/);
});
