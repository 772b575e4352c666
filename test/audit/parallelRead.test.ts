// The parallel file reader must give exactly what the sequential reader gives: items in order (with
// their line numbers), rejections, warnings and dataset accounting, whatever the split points.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import {
  THREADS_ENV, defaultThreadCount, readExportFile, stopReadWorkers, type ReadExportFileOptions,
} from '../../src/audit/parallelRead.js';
import type { ExportItem } from '../../src/audit/records.js';
import { generateExport, type GeneratorOptions } from '../../src/generator/exportGenerator.js';
import { HEADERS, csvLine, csvRowFor, meetingData, once, participantData } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'parallel-read-'));
after(async () => {
  await stopReadWorkers();
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function writeTemp(content: string | Buffer): string {
  const path = join(dir, `export-${++fileCount}.csv`);
  writeFileSync(path, content);
  return path;
}

function generatedText(options: Partial<GeneratorOptions> & { records: number }): string {
  return [...generateExport({ seed: 7, scenario: 'mixed', format: 'purview-v3', ...options }).chunks()].join('');
}

/** Every item (JSON, so key order counts too) and the info, read one way or the other. */
async function readBoth(path: string, options: Omit<ReadExportFileOptions, 'file'>) {
  const file = 'export.csv';
  const sequential = readExport(once(readFileSync(path)), { file });
  const seqItems: ExportItem[] = [];
  for await (const item of sequential) seqItems.push(item);
  const parallel = readExportFile(path, { file, minParallelBytes: 0, ...options });
  const parItems: ExportItem[] = [];
  for await (const item of parallel) parItems.push(item);
  return {
    sequential: { items: seqItems, info: sequential.info() },
    parallel: { items: parItems, info: parallel.info() },
    report: parallel.report,
  };
}

function assertSameItems(a: readonly ExportItem[], b: readonly ExportItem[]): void {
  assert.equal(b.length, a.length, 'item count');
  for (let i = 0; i < a.length; i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) assert.fail(`item ${i} differs:\nsequential ${x.slice(0, 400)}\nparallel   ${y.slice(0, 400)}`);
  }
}

async function assertSameAsSequential(path: string, options: Omit<ReadExportFileOptions, 'file'>) {
  const { sequential, parallel, report } = await readBoth(path, options);
  assertSameItems(sequential.items, parallel.items);
  assert.deepEqual(parallel.info, sequential.info);
  return { report, sequential };
}

/** Purview v3 text with quoted multi-line cells in AssociatedAdminUnitsNames on every `every`-th row. */
function withMultiLineCells(text: string, every: number, eol: '\r\n' | '\n'): string {
  const lines = text.split('\r\n');
  const cell = csvLine(['', `Unit A${eol}Unit "B"${eol}${eol}RecordId,CreationDate,RecordType${eol}x,"y",z${eol}`]);
  for (let i = 1; i < lines.length; i++) {
    if (i % every === 0 && lines[i]!.endsWith(',,')) lines[i] = lines[i]!.slice(0, -2) + ',' + cell;
  }
  return lines.join(eol);
}

test('generated exports with bad rows and duplicates read the same in parallel, for several thread counts and range sizes', async () => {
  for (const format of ['purview-v1', 'purview-v2', 'purview-v3'] as const) {
    const text = generatedText({ records: 1500, format, badRowShare: 0.03, duplicateShare: 0.02, otherOperationsShare: 0.03 });
    const path = writeTemp(text);
    for (const [threads, rangeBytes] of [[2, 64 * 1024], [3, 5000], [4, 777]] as const) {
      const { report, sequential } = await assertSameAsSequential(path, { threads, rangeBytes });
      assert.equal(report.mode, 'parallel', `${format}: ${report.reason ?? ''}`);
      assert.ok(report.ranges > 3, `${format}: ${report.ranges} ranges`);
      assert.ok(sequential.items.some((i) => i.type === 'rejected'), 'the file has rejected rows');
      assert.ok(sequential.items.some((i) => i.type === 'skipped'), 'the file has skipped rows');
    }
  }
});

test('quoted cells with line breaks at the split points are detected and re-read (CRLF and LF)', async () => {
  const base = generatedText({ records: 600, badRowShare: 0.02, duplicateShare: 0.02 });
  for (const eol of ['\r\n', '\n'] as const) {
    const path = writeTemp(withMultiLineCells(base, 2, eol));
    for (const [threads, rangeBytes] of [[2, 3000], [3, 211], [4, 53]] as const) {
      const { report, sequential } = await assertSameAsSequential(path, { threads, rangeBytes });
      assert.equal(report.mode, 'parallel');
      assert.ok(report.rereadRanges > 0, `some ranges must have started inside a quoted cell (${JSON.stringify(report)})`);
      // The rows really are the generated ones (the multi-line cells did not merge or split rows).
      assert.equal(sequential.items.length, 600);
    }
  }
});

test('a quoted cell spanning many ranges is re-read across all of them', async () => {
  const header = HEADERS['purview-v3'];
  const rows = [csvLine(header)];
  for (let i = 0; i < 40; i++) {
    const data = participantData({ Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` });
    const longCell = i % 7 === 3 ? Array.from({ length: 60 }, (_, k) => `line ${k},"quoted",${k}`).join('\r\n') : '';
    rows.push(csvRowFor(header, data).replace(/,,$/, `,${csvLine([longCell])},`));
  }
  const path = writeTemp(`\uFEFF${rows.join('\r\n')}\r\n`);
  const { report, sequential } = await assertSameAsSequential(path, { threads: 3, rangeBytes: 100 });
  assert.ok(report.rereadRanges > 5, JSON.stringify(report));
  assert.equal(sequential.items.filter((i) => i.type === 'record').length, 40);
});

test('BOM, LF records, a #TYPE line and bare LF inside CRLF records read the same', async () => {
  const v3 = generatedText({ records: 400, badRowShare: 0.02 });
  const variants = [
    `\uFEFF${v3}`,
    v3.replace(/\r\n/g, '\n'),
    `#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord\r\n${v3}`,
    // A bare LF inside an unquoted cell of a CRLF file is cell content, never a record boundary.
    v3.replace(/,25,/g, ',2\n5,'),
  ];
  for (const text of variants) {
    const path = writeTemp(text);
    const { report } = await assertSameAsSequential(path, { threads: 2, rangeBytes: 997 });
    assert.equal(report.mode, 'parallel', report.reason);
  }
});

test('line numbers, rejections and dataset accounting are the same as when read sequentially', async () => {
  const text = withMultiLineCells(generatedText({ records: 900, badRowShare: 0.05, duplicateShare: 0.05, otherOperationsShare: 0.05 }), 5, '\r\n');
  const path = writeTemp(text);
  const sequential = new AuditDataset();
  const seqFile = await sequential.addExport(readExport(once(text), { file: 'x.csv' }));
  const parallel = new AuditDataset();
  const parFile = await parallel.addExport(readExportFile(path, { file: 'x.csv', threads: 3, rangeBytes: 1500, minParallelBytes: 0 }));
  assert.deepEqual(parFile, seqFile);
  assert.deepEqual(parallel.accounting, sequential.accounting);
  assert.ok(seqFile.duplicates > 0 && seqFile.rejected > 0 && seqFile.skipped > 0, JSON.stringify(seqFile));
  assert.deepEqual(parallel.rejections, sequential.rejections);
  assert.deepEqual(parallel.files, sequential.files);
  assert.equal(JSON.stringify(parallel.meetings()), JSON.stringify(sequential.meetings()));
});

test('exactly 50,000 rows: the truncation warning is given in parallel too', async () => {
  const header = HEADERS['purview-v2'];
  const row = csvRowFor(header, { Operation: 'MessageSent', Id: 'x', CreationTime: '2024-03-01T12:00:00' });
  const text = `${csvLine(header)}\r\n${`${row}\r\n`.repeat(50_000)}`;
  const path = writeTemp(text);
  const { sequential, report } = await assertSameAsSequential(path, { threads: 2, rangeBytes: 256 * 1024 });
  assert.equal(report.mode, 'parallel');
  assert.match(sequential.info.warnings.join('\n'), /exactly 50,000 rows/);
});

test('invalid UTF-8 in several ranges: the first bad byte is reported, as sequentially', async () => {
  const header = HEADERS['purview-v2'];
  const lines = [csvLine(header)];
  for (let i = 0; i < 300; i++) lines.push(csvRowFor(header, participantData({ Attendees: [{ DisplayName: `Ren\u00e9 ${i}` }] })));
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
  // Latin-1 é (0xE9 then a space) in rows 100 and 250: invalid UTF-8.
  const e9 = Buffer.from('\u00e9', 'utf8');
  let at = 0;
  for (let n = 0; n < 250; n++) {
    at = bytes.indexOf(e9, at + 1);
    if (n === 99 || n === 249) {
      bytes[at] = 0xe9;
      bytes[at + 1] = 0x20;
    }
  }
  const path = writeTemp(bytes);
  const { sequential } = await assertSameAsSequential(path, { threads: 3, rangeBytes: 2000 });
  assert.match(sequential.info.warnings[0]!, /not valid UTF-8 \(first bad byte at byte offset \d+\)/);
});

test('a quote never closed stops reading at the same row, and later bad UTF-8 is still reported', async () => {
  const header = HEADERS['purview-v2'];
  const lines = [csvLine(header)];
  for (let i = 0; i < 200; i++) lines.push(csvRowFor(header, participantData({ Id: `id-${i}` })));
  // Row 201 opens a quote that no later row closes (they have no quotes): it runs to the end of the file.
  lines.push('x,y,"z,{}');
  for (let i = 0; i < 100; i++) lines.push('next,row,here,{}');
  const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'), Buffer.from([0xff, 0x0d, 0x0a])]);
  const path = writeTemp(bytes);
  for (const rangeBytes of [1000, 50_000]) {
    const { sequential, report } = await assertSameAsSequential(path, { threads: 2, rangeBytes });
    assert.equal(report.mode, 'parallel');
    const warnings = sequential.info.warnings.join('\n');
    assert.match(warnings, /reading stopped at row 201/);
    assert.match(warnings, /not valid UTF-8/);
    const last = sequential.items[sequential.items.length - 1]!;
    assert.ok(last.type === 'rejected' && last.rejection.line === 201 && /never closed/.test(last.rejection.reason));
  }
});

test('small files, one thread, JSON and unusual headers are read by the sequential reader', async () => {
  const v3 = generatedText({ records: 50 });
  const small = writeTemp(v3);
  assert.equal((await readBoth(small, { threads: 2, minParallelBytes: 1 << 30 })).report.reason, 'a small file');
  assert.equal((await readBoth(small, { threads: 1 })).report.reason, 'one thread');
  const json = join(dir, 'export.json');
  writeFileSync(json, JSON.stringify([meetingData(), participantData()]));
  const jsonRead = await readBoth(json, { threads: 2 });
  assert.equal(jsonRead.report.mode, 'sequential');
  assertSameItems(jsonRead.sequential.items, jsonRead.parallel.items);
  const notAudit = writeTemp('Name,Email\r\nAnna,x\r\n'.repeat(50));
  await assert.rejects(async () => {
    for await (const item of readExportFile(notAudit, { file: 'people.csv', threads: 2, minParallelBytes: 0 })) void item;
  }, /not a recognised audit export/);
});

test('TEAMS_AUDIT_READ_THREADS sets the default number of reading threads', () => {
  const saved = process.env[THREADS_ENV];
  try {
    process.env[THREADS_ENV] = '3';
    assert.equal(defaultThreadCount(), 3);
    process.env[THREADS_ENV] = '1';
    assert.equal(defaultThreadCount(), 1);
    process.env[THREADS_ENV] = 'many';
    assert.ok(defaultThreadCount() >= 1 && defaultThreadCount() <= 4);
  } finally {
    if (saved === undefined) delete process.env[THREADS_ENV];
    else process.env[THREADS_ENV] = saved;
  }
});

test('stopping early releases the workers, and the next file can use them', async () => {
  const path = writeTemp(generatedText({ records: 800 }));
  let seen = 0;
  for await (const item of readExportFile(path, { file: 'x.csv', threads: 2, rangeBytes: 4000, minParallelBytes: 0 })) {
    void item;
    if (++seen === 10) break;
  }
  const { report } = await assertSameAsSequential(path, { threads: 2, rangeBytes: 4000 });
  assert.equal(report.mode, 'parallel');
});
