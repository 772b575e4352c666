// bom=1: a CSV download that Excel reads as UTF-8 (a byte order mark before the same CSV text);
// without it the CSV is as before, and JSON never has one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { answerReport } from '../../../src/pipeline/answerReport.js';
import { CONTINUATION_HEADER, UTF8_BOM } from '../../../src/pipeline/http/render.js';
import { focusFixture, type FocusFixture } from './focusFixture.js';
import type { ErrorBody } from '../../support/jsonBody.js';

let fx: FocusFixture;

before(async () => {
  fx = await focusFixture('csvbom', 600, 9);
});

const LISTINGS: Array<[string, Record<string, string>]> = [
  ['meetings', {}],
  ['attendees', {}],
  ['disconnections', { band: 'all' }],
  ['summary', {}],
  ['summary', { groupBy: 'site' }],
  ['summary', { site: 'HQ Network' }],
  ['users', {}],
  ['uploads', {}],
];

test('bom=1 puts a UTF-8 byte order mark before the same CSV text, on every CSV route', async () => {
  for (const [route, query] of LISTINGS) {
    const plain = await fx.get(route, { ...query, format: 'csv' });
    const marked = await fx.get(route, { ...query, format: 'csv', bom: '1' });
    assert.equal(plain.status, 200, `${route}: ${plain.body}`);
    assert.equal(marked.status, 200, `${route}: ${marked.body}`);
    assert.ok(!plain.body.startsWith(UTF8_BOM), `${route}: no mark unless asked for`);
    assert.equal(marked.body, UTF8_BOM + plain.body, route);
    assert.deepEqual([...Buffer.from(marked.body, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal((await fx.get(route, { ...query, format: 'csv', bom: 'true' })).body, marked.body);
    assert.equal((await fx.get(route, { ...query, format: 'csv', bom: '0' })).body, plain.body);
  }
});

test('bom=1 with Accept: text/csv; the token of a marked page serves the next page', async () => {
  const first = await answerReport(
    { route: 'attendees', params: {}, query: { limit: '5', bom: '1' }, accept: 'text/csv' },
    fx.deps,
  );
  assert.equal(first.status, 200, first.body);
  assert.ok(first.body.startsWith(UTF8_BOM + 'meetingId,'));
  const token = first.headers[CONTINUATION_HEADER];
  assert.ok(token !== undefined);
  const next = await answerReport(
    { route: 'attendees', params: {}, query: { limit: '5', continuationToken: token }, accept: 'text/csv' },
    fx.deps,
  );
  assert.equal(next.status, 200, next.body);
  assert.ok(next.body.startsWith('meetingId,'));
});

test('bom is refused, naming the parameter, with JSON or with a value other than 1/true/0/false', async () => {
  const refused: Array<Record<string, string>> = [
    { bom: '1' },
    { bom: '1', format: 'json' },
    { bom: 'yes', format: 'csv' },
    { bom: '', format: 'csv' },
  ];
  for (const query of refused) {
    const r = await fx.get<ErrorBody>('meetings', query);
    assert.equal(r.status, 400, JSON.stringify(query));
    assert.equal(r.json.error.parameter, 'bom');
    assert.match(r.json.error.message, /bom/);
  }
  const json = await fx.get('meetings', { bom: '0' });
  assert.equal(json.status, 200);
  assert.ok(!json.body.startsWith(UTF8_BOM));
});
