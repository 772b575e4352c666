// The real published exports in /work/shared/corpus/real must read without error and with exact accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import { parseAuditTime } from '../../src/audit/time.js';

const CORPUS = '/work/shared/corpus/real';

function corpusFiles(): string[] {
  assert.ok(existsSync(CORPUS), `the real corpus directory ${CORPUS} is missing; these tests need it (see docs/audit-records.md §10)`);
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.csv') || f.endsWith('.ndjson')).sort();
  assert.ok(files.length >= 5, `expected the 5 published samples in ${CORPUS}, found ${files.join(', ')}`);
  return files;
}

/** Operation counts computed without the project's reader: csv-parse's sync API, or JSON.parse per line. */
function operationsOf(file: string): Record<string, number> {
  const text = readFileSync(join(CORPUS, file), 'utf8');
  const ops: string[] = [];
  if (file.endsWith('.ndjson')) {
    for (const line of text.split('\n')) if (line.trim() !== '') ops.push((JSON.parse(line) as { Operation: string }).Operation);
  } else {
    const [header, ...rows] = parse(text, { bom: true }) as string[][];
    const auditIndex = header!.indexOf('AuditData');
    for (const row of rows) {
      ops.push(auditIndex >= 0 ? (JSON.parse(row[auditIndex]!) as { Operation: string }).Operation : row[header!.indexOf('Operation')]!);
    }
  }
  const counts: Record<string, number> = {};
  for (const op of ops) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

async function read(file: string) {
  const dataset = new AuditDataset();
  const accounting = await dataset.addExport(readExport(createReadStream(join(CORPUS, file)), { file }));
  return { dataset, accounting };
}

test('every real file reads without error; every row is skipped (none is a meeting record)', async () => {
  for (const file of corpusFiles()) {
    const expected = operationsOf(file);
    const rows = Object.values(expected).reduce((a, b) => a + b, 0);
    const { dataset, accounting } = await read(file);
    assert.deepEqual(accounting, { rowsRead: rows, accepted: 0, duplicates: 0, skipped: rows, rejected: 0, skippedByOperation: expected }, file);
    assert.deepEqual(dataset.rejections, [], file);
    assert.deepEqual(dataset.files[0]!.warnings, [], file);
  }
});

test('row counts and layouts match the published descriptions (SOURCES.md)', async () => {
  const expectations: Record<string, { rows: number; format: string; csvVariant?: string }> = {
    'huntress-ctf-2023-rogue-inbox-purview-export.csv': { rows: 219, format: 'csv', csvVariant: 'purview-v3' },
    'azure-sentinel-training-lab-office_activity.csv': { rows: 266, format: 'csv', csvVariant: 'sentinel' },
    'azure-sentinel-training-lab-office_activity-teams-only.csv': { rows: 5, format: 'csv', csvVariant: 'sentinel' },
    'elastic-beats-o365-25-ms-teams.ndjson': { rows: 4, format: 'ndjson' },
    'elastic-beats-o365-25-ms-teams-groups-teams-only.ndjson': { rows: 4, format: 'ndjson' },
  };
  for (const [file, want] of Object.entries(expectations)) {
    const { dataset, accounting } = await read(file);
    assert.equal(accounting.rowsRead, want.rows, file);
    const info = dataset.files[0]!;
    assert.equal(info.format, want.format, file);
    assert.equal(info.csvVariant, want.csvVariant, file);
  }
});

test('the Teams rows of the samples are the operations SOURCES.md lists', async () => {
  assert.deepEqual((await read('azure-sentinel-training-lab-office_activity-teams-only.csv')).accounting.skippedByOperation,
    { MemberAdded: 3, TeamSettingChanged: 1, TeamCreated: 1 });
  assert.deepEqual((await read('elastic-beats-o365-25-ms-teams.ndjson')).accounting.skippedByOperation,
    { TeamCreated: 1, MemberAdded: 2, TeamsSessionStarted: 1 });
  assert.deepEqual((await read('elastic-beats-o365-25-ms-teams-groups-teams-only.ndjson')).accounting.skippedByOperation,
    { TeamCreated: 2, MemberAdded: 2 });
});

test('real Purview v3 CreationDate equals AuditData CreationTime to the second in all 219 rows', () => {
  const [header, ...rows] = parse(readFileSync(join(CORPUS, 'huntress-ctf-2023-rogue-inbox-purview-export.csv'))) as string[][];
  const dateIndex = header!.indexOf('CreationDate');
  const auditIndex = header!.indexOf('AuditData');
  assert.equal(rows.length, 219);
  for (const row of rows) {
    const creationDate = parseAuditTime(row[dateIndex]!);
    const creationTime = parseAuditTime((JSON.parse(row[auditIndex]!) as { CreationTime: string }).CreationTime);
    assert.notEqual(creationDate, undefined, row[dateIndex]);
    assert.equal(creationDate, creationTime, row[dateIndex]);
  }
});

test('real Sentinel TimeGenerated [UTC] values all parse', () => {
  const [header, ...rows] = parse(readFileSync(join(CORPUS, 'azure-sentinel-training-lab-office_activity.csv')), { bom: true }) as string[][];
  const i = header!.indexOf('TimeGenerated [UTC]');
  assert.ok(i >= 0);
  for (const row of rows) {
    const ms = parseAuditTime(row[i]!);
    assert.notEqual(ms, undefined, row[i]);
    assert.equal(new Date(ms!).getUTCFullYear(), 2021, row[i]);
  }
});
