import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { textSink } from '../support/textSink.js';
import { runUpload, formatBytes } from '../../src/cli/upload.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { connectionStringFor, freePort } from '../../src/local/azuriteProcess.js';

const connection = process.env['TEST_STORAGE_CONNECTION']!;
const container = `upload-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'upload-test-'));
/** These tests are not about the emulator's save window (uploadPersistence.test.ts is). */
const NO_WAIT = { emulatorSaveWaitMs: 0 };

function io(tty = false) {
  const out = textSink();
  const err = textSink();
  return {
    io: { stdout: out.stream, stderr: Object.assign(err.stream, { isTTY: tty }) },
    out: out.text,
    err: err.text,
  };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

before(async () => {
  assert.ok(connection, 'TEST_STORAGE_CONNECTION must be set by scripts/run-tests.mjs');
  await storageClientsFromConnectionString(connection).blobService.getContainerClient(container).create();
});

test('uploads each file under its base name with a content type, one final line per file', async () => {
  const csv = file('export.csv', 'CreationDate,UserIds\n2024-01-01,x\n');
  const json = file('export.json', '[]');
  const t = io();
  const code = await runUpload([csv, json, '--container', container, '--connection-string', connection], t.io, NO_WAIT);
  assert.equal(code, 0, t.err());
  const lines = t.out().trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0]!,
    new RegExp(`^Uploaded .*export\\.csv to ${container}/export\\.csv \\(34 B, ETag "0x[0-9A-F]+"\\)$`),
  );
  assert.equal(t.err(), '', 'no progress output when stderr is not a terminal');

  const blobs = storageClientsFromConnectionString(connection).blobService.getContainerClient(container);
  const props = await blobs.getBlobClient('export.csv').getProperties();
  assert.equal(props.contentType, 'text/csv; charset=utf-8');
  assert.equal(
    (await blobs.getBlobClient('export.csv').downloadToBuffer()).toString(),
    'CreationDate,UserIds\n2024-01-01,x\n',
  );
  assert.equal((await blobs.getBlobClient('export.json').getProperties()).contentType, 'application/json');
});

test('on a terminal, a progress line with bytes and percent is drawn on stderr and cleared', async () => {
  const big = file('big.csv', Buffer.alloc(3 * 1024 * 1024, 0x61));
  const t = io(true);
  const code = await runUpload([big, '--container', container, '--connection-string', connection], t.io, NO_WAIT);
  assert.equal(code, 0, t.err());
  assert.match(t.err(), /\rbig\.csv: 0 B of 3\.0 MiB \(0%\)/);
  assert.match(t.err(), /\rbig\.csv: 3\.0 MiB of 3\.0 MiB \(100%\)/);
  assert.ok(t.err().endsWith('\r\x1b[K'), 'the progress line is cleared before the final line');
  assert.match(t.out(), /Uploaded .*big\.csv .*\(3\.0 MiB,/);
});

test('the connection comes from AzureWebJobsStorage when no --connection-string is given', async () => {
  const path = file('from-env.csv', 'x');
  const saved = process.env['AzureWebJobsStorage'];
  process.env['AzureWebJobsStorage'] = connection;
  try {
    const t = io();
    assert.equal(await runUpload([path, '--container', container], t.io, NO_WAIT), 0, t.err());
  } finally {
    if (saved === undefined) delete process.env['AzureWebJobsStorage'];
    else process.env['AzureWebJobsStorage'] = saved;
  }
  const blobs = storageClientsFromConnectionString(connection).blobService.getContainerClient(container);
  assert.equal(await blobs.getBlobClient('from-env.csv').exists(), true);
});

test('usage errors exit 2 with the usage text', async () => {
  let t = io();
  assert.equal(await runUpload([], t.io), 2);
  assert.match(t.err(), /name at least one file/);
  assert.match(t.err(), /Usage: teams-audit upload FILE/);
  t = io();
  assert.equal(await runUpload(['x.csv', '--bogus'], t.io), 2);
  assert.match(t.err(), /Unknown option '--bogus'/);
  t = io();
  assert.equal(await runUpload(['--help'], t.io), 0);
  assert.match(t.out(), /--container NAME/);
});

test('a missing file, a directory or two files with one base name are refused before any upload', async () => {
  let t = io();
  assert.equal(await runUpload([join(dir, 'nope.csv'), '--connection-string', connection], t.io), 1);
  assert.match(t.err(), /nope\.csv: no such file/);

  t = io();
  assert.equal(await runUpload([dir, '--connection-string', connection], t.io), 1);
  assert.match(t.err(), /not a regular file/);

  mkdirSync(join(dir, 'a'), { recursive: true });
  mkdirSync(join(dir, 'b'), { recursive: true });
  writeFileSync(join(dir, 'a', 'same.csv'), '1');
  writeFileSync(join(dir, 'b', 'same.csv'), '2');
  t = io();
  assert.equal(
    await runUpload(
      [
        join(dir, 'a', 'same.csv'),
        join(dir, 'b', 'same.csv'),
        '--container',
        container,
        '--connection-string',
        connection,
      ],
      t.io,
    ),
    1,
  );
  assert.match(t.err(), /would both become blob "same\.csv"/);
  const blobs = storageClientsFromConnectionString(connection).blobService.getContainerClient(container);
  assert.equal(await blobs.getBlobClient('same.csv').exists(), false);
});

test('unreachable local storage says to run npm start first', async () => {
  const port = await freePort();
  const dead = connectionStringFor({ blob: port, queue: port, table: port });
  const t = io();
  const started = Date.now();
  assert.equal(await runUpload([file('x.csv', 'x'), '--connection-string', dead], t.io), 1);
  assert.match(
    t.err(),
    new RegExp(`cannot reach the blob service at http://127\\.0\\.0\\.1:${port}/devstoreaccount1\\. .*npm start`),
  );
  assert.ok(Date.now() - started < 10_000, 'fails fast instead of retrying for long');
  assert.doesNotMatch(t.err(), /AccountKey/, 'the key never appears in messages');
});

test('a container that does not exist is named in the error', async () => {
  const t = io();
  assert.equal(
    await runUpload([file('y.csv', 'y'), '--container', 'no-such-container', '--connection-string', connection], t.io),
    1,
  );
  assert.match(
    t.err(),
    /container "no-such-container" does not exist at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\. `npm start` creates it/,
  );
});

test('sizes are shown in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MiB');
});
