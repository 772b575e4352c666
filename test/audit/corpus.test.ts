// The real published exports in test/fixtures/real (see its README.md) must read without error and with
// exact accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import { parseAuditTime } from '../../src/audit/time.js';

/** The fixtures folder in the source tree (this file runs from dist/test/audit). */
const CORPUS = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'real');

/** The samples described in test/fixtures/real/README.md. */
const SAMPLES: Record<string, { rows: number; format: string; csvVariant?: string }> = {
  'azure-sentinel-training-lab-office_activity.csv': { rows: 266, format: 'csv', csvVariant: 'sentinel' },
  'azure-sentinel-training-lab-office_activity-teams-only.csv': { rows: 5, format: 'csv', csvVariant: 'sentinel' },
  'elastic-beats-o365-25-ms-teams.ndjson': { rows: 4, format: 'ndjson' },
  'elastic-beats-o365-25-ms-teams-groups-teams-only.ndjson': { rows: 4, format: 'ndjson' },
};

function corpusFiles(): string[] {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.csv') || f.endsWith('.ndjson'))
    .sort();
  assert.deepEqual(files, Object.keys(SAMPLES).sort(), `the samples in ${CORPUS} are the ones its README describes`);
  return files;
}

/** Operation counts computed without the project's reader: csv-parse's sync API, or JSON.parse per line. */
function operationsOf(file: string): Record<string, number> {
  const text = readFileSync(join(CORPUS, file), 'utf8');
  const ops: string[] = [];
  if (file.endsWith('.ndjson')) {
    for (const line of text.split('\n'))
      if (line.trim() !== '') ops.push((JSON.parse(line) as { Operation: string }).Operation);
  } else {
    const [header, ...rows] = parse(text, { bom: true });
    const auditIndex = header!.indexOf('AuditData');
    for (const row of rows) {
      ops.push(
        auditIndex >= 0
          ? (JSON.parse(row[auditIndex]!) as { Operation: string }).Operation
          : row[header!.indexOf('Operation')]!,
      );
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
    assert.deepEqual(
      accounting,
      { rowsRead: rows, accepted: 0, duplicates: 0, skipped: rows, rejected: 0, skippedByOperation: expected },
      file,
    );
    assert.deepEqual(dataset.rejections, [], file);
    assert.deepEqual(dataset.files[0]!.warnings, [], file);
  }
});

test('row counts and layouts match the published descriptions (test/fixtures/real/README.md)', async () => {
  for (const [file, want] of Object.entries(SAMPLES)) {
    const { dataset, accounting } = await read(file);
    assert.equal(accounting.rowsRead, want.rows, file);
    const info = dataset.files[0]!;
    assert.equal(info.format, want.format, file);
    assert.equal(info.csvVariant, want.csvVariant, file);
  }
});

test('the Teams rows of the samples are the operations the fixtures README lists', async () => {
  assert.deepEqual(
    (await read('azure-sentinel-training-lab-office_activity-teams-only.csv')).accounting.skippedByOperation,
    { MemberAdded: 3, TeamSettingChanged: 1, TeamCreated: 1 },
  );
  assert.deepEqual((await read('elastic-beats-o365-25-ms-teams.ndjson')).accounting.skippedByOperation, {
    TeamCreated: 1,
    MemberAdded: 2,
    TeamsSessionStarted: 1,
  });
  assert.deepEqual(
    (await read('elastic-beats-o365-25-ms-teams-groups-teams-only.ndjson')).accounting.skippedByOperation,
    { TeamCreated: 2, MemberAdded: 2 },
  );
});

test('real Sentinel TimeGenerated [UTC] values all parse', () => {
  const [header, ...rows] = parse(readFileSync(join(CORPUS, 'azure-sentinel-training-lab-office_activity.csv')), {
    bom: true,
  });
  const i = header!.indexOf('TimeGenerated [UTC]');
  assert.ok(i >= 0);
  for (const row of rows) {
    const ms = parseAuditTime(row[i]!);
    assert.notEqual(ms, undefined, row[i]);
    assert.equal(new Date(ms!).getUTCFullYear(), 2021, row[i]);
  }
});
