import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountingText, Messages, redactPii } from '../../src/cli/messages.js';

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } };
}

test('redactPii hides e-mails and IPv4/IPv6 addresses but not times, dates or versions of other shapes', () => {
  assert.equal(redactPii('user a.b@contoso.example left'), 'user <e-mail> left');
  assert.equal(redactPii('from 10.57.1.20 to 192.168.0.1'), 'from <IP> to <IP>');
  assert.equal(redactPii('v6 2001:db8::1 and fe80:0:0:0:1:2:3:4'), 'v6 <IP> and <IP>');
  assert.equal(redactPii('at 2024-03-05T10:20:00 (12:30:45)'), 'at 2024-03-05T10:20:00 (12:30:45)');
  assert.equal(redactPii('file.csv:12: AuditData.JoinTime: missing'), 'file.csv:12: AuditData.JoinTime: missing');
});

test('every line is prefixed and redacted; row messages are capped but counted', () => {
  const { chunks, stream } = sink();
  const msg = new Messages(stream, 2, false);
  msg.rowWarning('f.csv', 1, 'AuditData.UserId', 'bad value x@y.example');
  msg.rowWarning('f.csv', 2, 'AuditData.ClientIP', 'odd 10.0.0.1');
  msg.rowWarning('f.csv', 3, 'AuditData', 'third');
  msg.finishRowMessages();
  msg.info('hidden without --debug');
  assert.deepEqual(chunks, [
    'teams-audit: WARNING: f.csv:1: AuditData.UserId: bad value <e-mail>\n',
    'teams-audit: WARNING: f.csv:2: AuditData.ClientIP: odd <IP>\n',
    'teams-audit: WARNING: 1 more row message not shown (--max-rejections 2; all are counted below)\n',
  ]);
  assert.equal(msg.rowMessages, 3);
});

test('accounting line: rows read = accepted + duplicates + skipped + rejected, with skipped operations', () => {
  assert.equal(
    accountingText({
      rowsRead: 10,
      accepted: 5,
      duplicates: 1,
      skipped: 3,
      rejected: 1,
      skippedByOperation: { MemberAdded: 1, TeamsSessionStarted: 2 },
    }),
    '10 rows read = 5 accepted + 1 duplicates + 3 skipped + 1 rejected (skipped: TeamsSessionStarted 2, MemberAdded 1)',
  );
});

test('progress: only on a TTY, at most every 250 ms, cleared before other output', () => {
  const plain = sink(false);
  new Messages(plain.stream, 10, false).progress('f.csv', 100, 0);
  assert.deepEqual(plain.chunks, []);

  let now = 1000;
  const tty = sink(true);
  const msg = new Messages(tty.stream, 10, false, () => now);
  msg.progress('f.csv', 500, 0); // shown: 500 rows in 1 s
  now = 1100;
  msg.progress('f.csv', 600, 0); // within 250 ms: not shown
  now = 1300;
  msg.progress('f.csv', 1300, 0); // shown
  msg.warning('something');
  msg.clearProgress(); // nothing left to clear
  assert.deepEqual(tty.chunks, [
    '\r\x1b[Kteams-audit: f.csv: 500 rows read (500 rows/s)',
    '\r\x1b[Kteams-audit: f.csv: 1300 rows read (1000 rows/s)',
    '\r\x1b[K',
    'teams-audit: WARNING: something\n',
  ]);
});
