// Compressed exports: gzip and zip recognised by their first bytes, each inner export read and named,
// zip bombs and nested archives refused with messages that name them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateExport, type GeneratorOptions } from '../../src/generator/exportGenerator.js';
import { ARCHIVE_LIMITS, compressionOf, describeBinary, type ArchiveLimits } from '../../src/audit/archive.js';
import { readAnyExport, readZipFileExport } from '../../src/audit/archiveExport.js';
import { ExportReadError, readExport, type ExportStream } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';
import { chunked, collect } from './helpers.js';
import { zipArchive } from './zipWriter.js';

function generated(options: Partial<GeneratorOptions> = {}): string {
  return [
    ...generateExport({ seed: 11, records: 300, scenario: 'mixed', format: 'purview-v3', ...options }).chunks(),
  ].join('');
}

/** Items as comparable text: kind, record id or operation, and the file and number they come from. */
function summary(items: readonly ExportItem[]): string[] {
  return items.map((i) => {
    if (i.type === 'record') return `record ${i.record.recordId} ${i.record.source.file}:${i.record.source.line}`;
    if (i.type === 'skipped') return `skipped ${i.source.file}:${i.source.line}`;
    return `rejected ${i.rejection.file}:${i.rejection.line} ${i.rejection.field}`;
  });
}

async function plain(text: string, file: string): Promise<string[]> {
  return summary(await collect(readExport(chunked(text, [65536]), { file })));
}

async function readError(stream: ExportStream): Promise<ExportReadError> {
  try {
    await collect(stream);
  } catch (e) {
    assert.ok(e instanceof ExportReadError, String(e));
    return e;
  }
  assert.fail('expected an ExportReadError');
}

const small: ArchiveLimits = { ...ARCHIVE_LIMITS, ratio: 50, ratioFromBytes: 1024 * 1024 };

test('formats are recognised by their first bytes, not their names', () => {
  assert.equal(compressionOf(gzipSync('x')), 'gzip');
  assert.equal(compressionOf(zipArchive([{ name: 'a.csv', data: 'x' }])), 'zip');
  assert.equal(compressionOf(zipArchive([])), 'empty-zip');
  assert.equal(compressionOf(Buffer.from('RecordId,CreationDate')), undefined);
  assert.equal(describeBinary(Buffer.from('RecordId,CreationDate')), undefined);
  assert.equal(describeBinary(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4])), 'a 7-Zip archive');
  const tar = Buffer.alloc(512);
  tar.write('export.csv');
  tar.write('ustar', 257, 'latin1');
  assert.equal(describeBinary(tar), 'a tar archive');
});

test('a gzip-compressed CSV export reads to the same rows as the plain file, in any chunking', async () => {
  const csv = generated();
  const expected = await plain(csv, 'export.csv.gz');
  assert.ok(expected.length > 250);
  for (const sizes of [[1 << 20], [7, 4096], [1]]) {
    const stream = readAnyExport(chunked(gzipSync(csv), sizes), { file: 'export.csv.gz' });
    assert.deepEqual(summary(await collect(stream)), expected);
    assert.equal(stream.info().format, 'csv');
  }
  // a Buffer (a blob) too
  assert.deepEqual(summary(await collect(readAnyExport(gzipSync(csv), { file: 'export.csv.gz' }))), expected);
});

test('damaged, truncated and over-expanding gzip data is an ExportReadError that says so', async () => {
  const gz = gzipSync(generated());
  const truncated = await readError(readAnyExport(gz.subarray(0, gz.length - 100), { file: 'cut.csv.gz' }));
  assert.match(truncated.message, /cut\.csv\.gz: the gzip-compressed file is truncated/);
  const damaged = Buffer.from(gz);
  damaged.fill(0x41, 20, 60);
  assert.match(
    (await readError(readAnyExport(damaged, { file: 'bad.gz' }))).message,
    /bad\.gz: the gzip-compressed data is damaged/,
  );
  const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
  const e = await readError(readAnyExport(bomb, { file: 'bomb.gz', limits: small }));
  assert.match(e.message, /bomb\.gz: it expands more than 50 times .*zip bomb/);
  const tooBig = await readError(
    readAnyExport(gzipSync(generated()), { file: 'big.gz', limits: { ...ARCHIVE_LIMITS, entryBytes: 10_000 } }),
  );
  assert.match(tooBig.message, /big\.gz: it expands to more than/);
});

test('a zip archive: every export in it is read, named archive/inner in messages and SourceRefs', async () => {
  const csv = generated();
  const ndjson = generated({ format: 'ndjson', seed: 12, records: 200, meetingIdPrefix: 'ab' });
  const zip = zipArchive([
    { name: 'exports/', data: '' },
    { name: 'exports/week1.csv', data: csv },
    { name: 'exports/week2.ndjson', data: ndjson, method: 'store' },
  ]);
  const expected = [
    ...(await plain(csv, 'audit.zip/exports/week1.csv')),
    ...(await plain(ndjson, 'audit.zip/exports/week2.ndjson')),
  ];
  const progress: number[] = [];
  const stream = readAnyExport(chunked(zip, [3000]), { file: 'audit.zip', onProgress: (n) => progress.push(n) });
  assert.deepEqual(summary(await collect(stream)), expected);
  assert.deepEqual(stream.info(), { file: 'audit.zip', format: 'zip', warnings: [] });
  assert.equal(progress[progress.length - 1], expected.length);

  const dir = mkdtempSync(join(tmpdir(), 'archive-'));
  try {
    const path = join(dir, 'audit.zip');
    writeFileSync(path, zip);
    assert.deepEqual(summary(await collect(readZipFileExport(path, { file: 'audit.zip' }))), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entries that are not exports are named in warnings; the others are still read', async () => {
  const csv = generated({ records: 50 });
  const zip = zipArchive([
    { name: 'nested.zip', data: zipArchive([{ name: 'a.csv', data: csv }]) },
    { name: 'again.csv.gz', data: gzipSync(csv) },
    { name: '__MACOSX/._export.csv', data: Buffer.from([0, 5, 22, 7, 0, 2]) },
    { name: 'readme.txt', data: 'exported on Monday\n' },
    { name: 'export.csv', data: csv },
    { name: 'bomb.csv', data: Buffer.alloc(3 * 1024 * 1024, 0x20) },
    { name: 'liar.csv', data: csv, declaredSize: 100 },
  ]);
  const stream = readAnyExport(zip, { file: 'mixed.zip', limits: small });
  const items = await collect(stream);
  assert.deepEqual(summary(items), await plain(csv, 'mixed.zip/export.csv'));
  const warnings = stream.info().warnings;
  assert.equal(warnings.length, 6, warnings.join('\n'));
  assert.match(warnings[0]!, /^nested\.zip: not read: it is a zip archive, not an export; extract it/);
  assert.match(warnings[1]!, /^again\.csv\.gz: not read: it is gzip-compressed data, not an export/);
  assert.match(warnings[2]!, /^__MACOSX\/\._export\.csv: not read: macOS Finder metadata/);
  assert.match(warnings[3]!, /^readme\.txt: not read: not a recognised audit export/);
  assert.match(warnings[4]!, /^bomb\.csv: not read: it expands more than 50 times .*zip bomb/);
  assert.match(warnings[5]!, /^liar\.csv: not read: this file of the zip archive is damaged/);
});

test('a zip archive with no readable export, an empty one, a damaged one, too many files: one ExportReadError', async () => {
  const none = await readError(
    readAnyExport(zipArchive([{ name: 'notes.txt', data: 'hello\n' }]), { file: 'notes.zip' }),
  );
  assert.match(
    none.message,
    /^notes\.zip: no export could be read from the zip archive: notes\.txt: not read: not a recognised/,
  );
  assert.match(
    (await readError(readAnyExport(zipArchive([]), { file: 'empty.zip' }))).message,
    /empty\.zip: the zip archive is empty/,
  );
  const zip = zipArchive([{ name: 'a.csv', data: generated({ records: 20 }) }]);
  const cut = await readError(readAnyExport(zip.subarray(0, zip.length - 30), { file: 'cut.zip' }));
  assert.match(cut.message, /cut\.zip: the zip archive cannot be read \(damaged or truncated\?\)/);
  const many = zipArchive([
    { name: 'a.csv', data: 'x' },
    { name: 'b.csv', data: 'y' },
    { name: 'c.csv', data: 'z' },
  ]);
  const tooMany = await readError(readAnyExport(many, { file: 'many.zip', limits: { ...ARCHIVE_LIMITS, entries: 2 } }));
  assert.match(tooMany.message, /many\.zip: the zip archive holds 3 files, more than the 2 read/);
  const xlsx = zipArchive([
    { name: '[Content_Types].xml', data: '<Types/>' },
    { name: 'xl/workbook.xml', data: '<workbook/>' },
  ]);
  assert.match(
    (await readError(readAnyExport(xlsx, { file: 'audit.xlsx' }))).message,
    /audit\.xlsx: the file is an Excel workbook/,
  );
});

test('a zip archive that does not come from a file is held in memory only up to a limit', async () => {
  const zip = zipArchive([{ name: 'a.csv', data: generated({ records: 100 }) }]);
  const e = await readError(
    readAnyExport(chunked(zip, [1000]), { file: '<stdin>', limits: { ...ARCHIVE_LIMITS, bufferedZipBytes: 2000 } }),
  );
  assert.match(
    e.message,
    /<stdin>: a zip archive that does not come from a file is read into memory.*give the file name instead/,
  );
});

test('other binary files are refused by name, and the message says which formats are read', async () => {
  const seven = Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), Buffer.alloc(100)]);
  const e = await readError(readAnyExport(seven, { file: 'export.7z' }));
  assert.match(
    e.message,
    /export\.7z: the file is a 7-Zip archive, not an export\. Exports are read as CSV, JSON or NDJSON text .*gzip-compressed .*zip archive/,
  );
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const unknown = await readError(readAnyExport(png, { file: 'picture.png' }));
  assert.match(
    unknown.message,
    /picture\.png: the file contains NUL bytes, so it is not a text export\. Exports are read as .*zip archive/,
  );
  assert.doesNotMatch(unknown.message, /save it as UTF-8\)/);
  const tgz = Buffer.alloc(1024);
  tgz.write('export.csv');
  tgz.write('ustar', 257, 'latin1');
  assert.match(
    (await readError(readAnyExport(gzipSync(tgz), { file: 'x.tar.gz' }))).message,
    /x\.tar\.gz: the gzip-compressed file holds a tar archive, not an export/,
  );
});
