// The CLI with compressed exports (.csv.gz, .zip, from a file or standard input) and JSON that wraps
// records (a Graph audit log page, {"value":[…]}): read as the plain export would be, with messages that
// name what could not be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateExport, type GeneratorOptions } from '../../src/generator/exportGenerator.js';
import { zipArchive } from '../audit/zipWriter.js';
import { runCli } from './run.fixture.js';

function generated(options: Partial<GeneratorOptions> = {}): string {
  return [
    ...generateExport({ seed: 21, records: 600, scenario: 'mixed', format: 'purview-v3', ...options }).chunks(),
  ].join('');
}

const dir = mkdtempSync(join(tmpdir(), 'cli-archive-'));
const csv = generated();
const ndjson = generated({ seed: 22, format: 'ndjson', meetingIdPrefix: 'ab12' });
const files = {
  csv: join(dir, 'week1.csv'),
  ndjson: join(dir, 'week2.ndjson'),
  gz: join(dir, 'week1.csv.gz'),
  zip: join(dir, 'weeks.zip'),
};
writeFileSync(files.csv, csv);
writeFileSync(files.ndjson, ndjson);
writeFileSync(files.gz, gzipSync(csv));
writeFileSync(
  files.zip,
  zipArchive([
    { name: 'exports/', data: '' },
    { name: 'exports/week1.csv', data: csv },
    { name: 'exports/week2.ndjson', data: ndjson },
  ]),
);

/** The `N rows read = …` line of one input. */
function accounting(stderr: string, name: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith(`teams-audit: ${name}: `));
  assert.ok(line, `no accounting line for ${name} in:\n${stderr}`);
  return line.slice(`teams-audit: ${name}: `.length);
}

test("a .csv.gz file and a gzip stream on standard input give the plain file's report", () => {
  const plain = runCli(['-d', files.csv]);
  assert.equal(plain.status, 0, plain.stderr);
  const gz = runCli(['-d', files.gz]);
  assert.equal(gz.status, 0, gz.stderr);
  assert.equal(gz.stdout, plain.stdout);
  assert.equal(accounting(gz.stderr, files.gz), accounting(plain.stderr, files.csv));
  const stdin = runCli(['-d'], { input: gzipSync(csv) });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.equal(stdin.stdout, plain.stdout);
});

test('a .zip of two exports gives the report of the two files; entries are named archive/inner', () => {
  const plain = runCli(['-d', files.csv, files.ndjson]);
  assert.equal(plain.status, 0, plain.stderr);
  const zip = runCli(['-d', files.zip]);
  assert.equal(zip.status, 0, zip.stderr);
  assert.equal(zip.stdout, plain.stdout);
  assert.match(accounting(zip.stderr, files.zip), /^1200 rows read = /);
  const stdin = runCli(['-d'], {
    input: zipArchive([
      { name: 'week1.csv', data: csv },
      { name: 'week2.ndjson', data: ndjson },
    ]),
  });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.equal(stdin.stdout, plain.stdout);
  // the attendees report names each row's source as archive/inner:row
  const attendees = runCli(['-a', files.zip])
    .stdout.split('\r\n')
    .slice(1)
    .filter((l) => l !== '');
  assert.equal(
    attendees.length,
    runCli(['-a', files.csv, files.ndjson])
      .stdout.split('\r\n')
      .slice(1)
      .filter((l) => l !== '').length,
  );
  assert.ok(
    attendees.every((l) => /,[^,]*weeks\.zip\/exports\/week[12]\.(csv|ndjson):\d+$/.test(l)),
    attendees[0],
  );
  assert.ok(attendees.some((l) => l.includes('week2.ndjson:')));
  // rejected rows name the entry they come from
  const broken = csv.replace(
    /\r\n([^\r\n]*MeetingParticipantDetail[^\r\n]*)\r\n/,
    (_m, row: string) => `\r\n${row.replace(/"JoinTime"":""[^"]*""/, '"JoinTime"":""soon""')}\r\n`,
  );
  assert.notEqual(broken, csv);
  const withBad = join(dir, 'bad.zip');
  writeFileSync(withBad, zipArchive([{ name: 'week1.csv', data: broken }]));
  const bad = runCli(['-d', withBad]);
  assert.equal(bad.status, 0, bad.stderr);
  assert.match(
    bad.stderr,
    new RegExp(`${withBad.replace(/[.\\/]/g, '\\$&')}/week1\\.csv:\\d+: AuditData\\.JoinTime: `),
  );
});

test('entries that are not exports are named; an archive with nothing readable is an error, the other files still reported', () => {
  const mixed = join(dir, 'mixed.zip');
  writeFileSync(
    mixed,
    zipArchive([
      { name: 'week1.csv.gz', data: gzipSync(csv) },
      { name: 'readme.txt', data: 'exported by the admin\n' },
      { name: 'week2.ndjson', data: ndjson },
    ]),
  );
  const r = runCli(['-d', mixed]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /WARNING: .*mixed\.zip: week1\.csv\.gz: not read: it is gzip-compressed data, not an export; extract it/,
  );
  assert.match(r.stderr, /WARNING: .*mixed\.zip: readme\.txt: not read: not a recognised audit export/);
  assert.equal(r.stdout, runCli(['-d', files.ndjson]).stdout);

  const nothing = join(dir, 'nothing.zip');
  writeFileSync(nothing, zipArchive([{ name: 'notes.txt', data: 'hello\n' }]));
  const alone = runCli(['-d', nothing]);
  assert.equal(alone.status, 2);
  assert.match(
    alone.stderr,
    /ERROR: .*nothing\.zip: no export could be read from the zip archive: notes\.txt: not read/,
  );
  const withGood = runCli(['-d', nothing, files.csv]);
  assert.equal(withGood.status, 3);
  assert.equal(withGood.stdout, runCli(['-d', files.csv]).stdout);
});

test('a binary file is refused naming the formats read, without advice to save it as UTF-8', () => {
  const png = join(dir, 'picture.png');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
  const r = runCli(['-d', png]);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /picture\.png: the file contains NUL bytes, so it is not a text export\. Exports are read as CSV, JSON or NDJSON text .*gzip-compressed .*zip archive/,
  );
  const rar = join(dir, 'export.rar');
  writeFileSync(rar, Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), Buffer.alloc(64)]));
  assert.match(runCli(['-d', rar]).stderr, /export\.rar: the file is a RAR archive, not an export/);
});

test('--compat tala reads plain files as before and a zip entry by entry', () => {
  const plain = runCli(['--compat', 'tala', '-d', files.csv]);
  assert.equal(plain.status, 0, plain.stderr);
  const zipped = join(dir, 'one.zip');
  writeFileSync(zipped, zipArchive([{ name: 'week1.csv', data: csv }]));
  const zip = runCli(['--compat', 'tala', '-d', zipped]);
  assert.equal(zip.status, 0, zip.stderr);
  assert.equal(zip.stdout, plain.stdout);
  assert.equal(runCli(['--compat', 'tala', '-d', files.gz]).stdout, plain.stdout);
});

test('JSON that wraps records (a Graph page, ConvertTo-Json\'s {"value":[…]}) gives the NDJSON file\'s report', () => {
  const records = ndjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const graph = join(dir, 'graph-page.json');
  writeFileSync(
    graph,
    JSON.stringify(
      {
        '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#security/auditLog/queries('q')/records",
        value: records.map((r) => ({
          id: r.Id,
          operation: r.Operation,
          createdDateTime: r.CreationTime,
          userPrincipalName: r.UserId,
          auditData: r,
        })),
        '@odata.nextLink': 'https://graph.microsoft.com/v1.0/security/auditLog/queries/q/records?$skiptoken=abc',
      },
      null,
      2,
    ),
  );
  const value = join(dir, 'value.json');
  writeFileSync(value, JSON.stringify({ value: records, Count: records.length }, null, 4));
  const expected = runCli(['-d', files.ndjson]);
  for (const file of [graph, value]) {
    const r = runCli(['-d', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected.stdout, file);
    assert.equal(accounting(r.stderr, file), accounting(expected.stderr, files.ndjson));
  }
  assert.match(
    runCli(['-d', graph]).stderr,
    /WARNING: .*graph-page\.json: the file holds a page of a Microsoft Graph audit log query .*more records exist that are not in the file/,
  );
  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ a: 1, b: [1, 2, 3], c: 'x' }, null, 2));
  const refused = runCli(['-d', other]);
  assert.equal(refused.status, 2);
  assert.equal(
    refused.stderr.split('\n').filter((l) => /(ERROR|WARNING).*other\.json/.test(l)).length,
    1,
    refused.stderr,
  );
  assert.match(
    refused.stderr,
    /ERROR: .*other\.json: the file holds a JSON object with keys "a", "b", "c", which is not an audit record/,
  );
});
