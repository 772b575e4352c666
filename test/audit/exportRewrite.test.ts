// Rewriting one export without one person's records (src/audit/exportRewrite.ts): in every generated format the
// person's sessions go, the rows naming them as organiser keep their place with `erased`, every other row is
// byte-identical, and the result reads back; forms that cannot be rewritten are refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { rewriteExportWithout, linkedIdentifiers } from '../../src/audit/exportRewrite.js';
import { ERASED_TEXT, PersonPattern } from '../../src/audit/personPattern.js';
import { readExport } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';
import { generateExport, type GeneratedFormat } from '../../src/generator/exportGenerator.js';
import { sessionLine } from '../pipeline/pipelineFixtures.js';
import { names, pickPerson } from './exportPeople.js';
import { zipArchive } from './zipWriter.js';

function exportText(format: GeneratedFormat, records = 800, seed = 47): Buffer {
  return Buffer.from([...generateExport({ seed, scenario: 'mixed', format, records }).chunks()].join(''), 'utf8');
}

async function items(content: Buffer): Promise<ExportItem[]> {
  const out: ExportItem[] = [];
  for await (const item of readExport(
    (async function* () {
      yield content;
    })(),
    { file: 'x' },
  ))
    out.push(item);
  return out;
}

/** Lines without a JSON element's trailing comma (dropping the last element moves the comma). */
function lines(content: Buffer): string[] {
  return content
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/,\r?$/, ''));
}

for (const format of ['purview-v1', 'purview-v2', 'purview-v3', 'json-array', 'ndjson'] as const) {
  test(`${format}: the person's sessions are removed, their organiser mentions erased, every other row byte-identical`, async () => {
    const content = exportText(format);
    const person = await pickPerson(content);
    assert.ok(person.organises && person.sessions > 1, 'the person attends several sessions and organises');
    const outcome = await rewriteExportWithout(content, 'x', new PersonPattern([person.oid, person.upn]));
    assert.equal(outcome.kind, 'rewritten', JSON.stringify(outcome).slice(0, 300));
    if (outcome.kind !== 'rewritten') return;
    assert.equal(outcome.recordsRemoved, person.sessions, 'each of their sessions, nothing else');
    assert.ok(outcome.recordsRedacted > 0, 'records of meetings they organised stay, redacted');
    assert.equal(names(outcome.content.toString('utf8'), person), false, 'the file names the person no more');

    const before = lines(content);
    const after = lines(outcome.content);
    assert.equal(after[0], before[0], 'the header (or the array opening) is unchanged');
    assert.deepEqual(
      after.filter((l) => !l.includes(ERASED_TEXT)),
      before.filter((l) => !names(l, person)),
      'every row not naming the person is byte-identical, in order',
    );
    assert.equal(after.filter((l) => l.includes(ERASED_TEXT)).length, outcome.recordsRedacted);

    const read = await items(outcome.content);
    const old = await items(content);
    assert.equal(read.length, old.length - person.sessions, 'the rest reads back');
    const organised = read.filter((i) => i.type === 'record' && i.record.organizerId === ERASED_TEXT);
    assert.ok(organised.length > 0, "their meetings' records stay, the organiser erased");
  });
}

test('a CSV with a BOM, semicolons and CRLF keeps them; another person whose address contains theirs is untouched', async () => {
  const row = (id: string, user: string) =>
    `2026-03-03T12:00:00Z;${user}@contoso.com;MeetingParticipantDetail;"${sessionLine(id, 'm1', user, '2026-03-03T12:00:00', '2026-03-03T12:30:00').replace(/"/g, '""')}"\r\n`;
  const header = 'CreationDate;UserIds;Operations;AuditData\r\n';
  const rows = [row('r1', 'ann'), row('r2', 'joann'), row('r3', 'ann'), row('r4', 'bob')];
  const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(header + rows.join(''), 'utf8')]);
  const outcome = await rewriteExportWithout(content, 'x.csv', new PersonPattern(['ann@contoso.com', 'oid-ann']));
  assert.equal(outcome.kind, 'rewritten');
  if (outcome.kind !== 'rewritten') return;
  assert.equal(outcome.recordsRemoved, 2);
  assert.deepEqual(
    outcome.content,
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(header + rows[1]! + rows[3]!, 'utf8')]),
  );
});

test('NDJSON: a record naming the person only as organiser is kept with the organiser erased', async () => {
  const mine = sessionLine('r1', 'm1', 'ann', '2026-03-03T12:00:00', '2026-03-03T12:30:00');
  const organised = JSON.parse(sessionLine('r2', 'm1', 'bob', '2026-03-03T12:00:00', '2026-03-03T12:30:00')) as Record<
    string,
    unknown
  >;
  organised['UserId'] = 'ann@contoso.com';
  organised['UserKey'] = 'oid-ann';
  const other = sessionLine('r3', 'm2', 'cy', '2026-03-03T12:00:00', '2026-03-03T12:30:00');
  const content = Buffer.from(`${mine}\n${JSON.stringify(organised)}\n${other}\n`);
  const outcome = await rewriteExportWithout(content, 'x', new PersonPattern(['ann@contoso.com', 'oid-ann']));
  assert.equal(outcome.kind, 'rewritten');
  if (outcome.kind !== 'rewritten') return;
  const expected = { ...organised, UserId: ERASED_TEXT, UserKey: ERASED_TEXT };
  assert.equal(outcome.content.toString('utf8'), `${JSON.stringify(expected)}\n${other}\n`);
  assert.deepEqual([outcome.recordsRemoved, outcome.recordsRedacted], [1, 1]);
});

test('a gzip-compressed export is rewritten inside and compressed again', async () => {
  const content = exportText('ndjson');
  const person = await pickPerson(content);
  const pattern = new PersonPattern([person.oid, person.upn]);
  const plain = await rewriteExportWithout(content, 'x', pattern);
  const zipped = await rewriteExportWithout(gzipSync(content), 'x.gz', pattern);
  assert.equal(zipped.kind, 'rewritten');
  assert.equal(plain.kind, 'rewritten');
  if (zipped.kind !== 'rewritten' || plain.kind !== 'rewritten') return;
  assert.equal(zipped.compression, 'gzip');
  assert.deepEqual(gunzipSync(zipped.content), plain.content, 'the same rewrite as the uncompressed file');
  assert.deepEqual(
    await linkedIdentifiers(gzipSync(content), 'x.gz', new PersonPattern([person.upn])),
    await linkedIdentifiers(content, 'x', new PersonPattern([person.upn])),
  );
});

test("the object id linked to a UPN is learned from the export's records", async () => {
  const content = Buffer.from(sessionLine('r1', 'm1', 'ann', '2026-03-03T12:00:00', '2026-03-03T12:30:00') + '\n');
  assert.deepEqual((await linkedIdentifiers(content, 'x', new PersonPattern(['ann@contoso.com']))).sort(), [
    'ann@contoso.com',
    'oid-ann',
  ]);
});

test('forms that cannot be rewritten are refused with the reason; a file not naming the person is unchanged', async () => {
  const person = new PersonPattern(['ann@contoso.com', 'oid-ann']);
  const line = sessionLine('r1', 'm1', 'ann', '2026-03-03T12:00:00', '2026-03-03T12:30:00');
  const refusal = async (content: Buffer) => {
    const outcome = await rewriteExportWithout(content, 'x', person);
    assert.equal(outcome.kind, 'refused');
    return outcome.kind === 'refused' ? outcome.reason : '';
  };
  assert.match(await refusal(zipArchive([{ name: 'a.ndjson', data: line }])), /^not searched: zip archives/);
  assert.match(
    await refusal(gzipSync(zipArchive([{ name: 'a.ndjson', data: line }]))),
    /^not searched: it holds a compressed/,
  );
  assert.match(await refusal(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02])), /^not searched: its gzip data cannot/);
  assert.match(await refusal(Buffer.from(JSON.stringify({ value: [JSON.parse(line)] }))), /json-wrapper/);
  assert.match(
    await refusal(Buffer.from(`CreationDate,UserIds,Operations,AuditData\n2026,ann@contoso.com,X,"{\n`)),
    /never closed/,
  );
  assert.match(await refusal(Buffer.from(`${line}\n`)), /every record in it is the person's/);
  assert.match(await refusal(Buffer.from(`[\n${line}\n]`)), /every record in it is the person's/);
  const bob = sessionLine('r2', 'm1', 'bob', '2026-03-03T12:00:00', '2026-03-03T12:30:00');
  const dropped = await rewriteExportWithout(Buffer.from(`[${line},\n ${bob},\n ${line}]`), 'x', person);
  assert.equal(
    dropped.kind === 'rewritten' && dropped.content.toString('utf8'),
    `[${bob}]`,
    'first and last elements go',
  );
  assert.deepEqual(await rewriteExportWithout(Buffer.from(bob), 'x', person), { kind: 'unchanged' });
});
