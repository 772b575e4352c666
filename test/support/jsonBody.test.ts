// The typed JSON reader of the tests: it reads JSON answers and refuses any other, so a test never
// checks the fields of a CSV or HTML body by accident.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonResponse, csvResponse } from '../../src/pipeline/http/render.js';
import { jsonBody, present, withJson, type PageBody } from './jsonBody.js';

test('a JSON answer is read as the type named', () => {
  const body = jsonBody<PageBody<{ id: string }>>(jsonResponse({ items: [{ id: 'a' }], continuationToken: null }));
  assert.deepEqual(
    body.items.map((i) => i.id),
    ['a'],
  );
  assert.equal(body.continuationToken, null);
});

test('an answer of another content type is refused, naming the start of its body', () => {
  const csv = csvResponse([{ id: 'a' }], [{ header: 'id', value: (r: { id: string }) => r.id }], false);
  assert.throws(() => jsonBody(csv), /not a JSON answer: id\r\na/);
  const answer = withJson<unknown>(csv);
  assert.equal(answer.status, 200, 'the rest of the answer reads as usual');
  assert.throws(() => answer.json, /not a JSON answer/);
});

test('withJson parses the body once, when json is first read', () => {
  const response = jsonResponse({ n: 1 });
  const answer = withJson<{ n: number }>(response);
  assert.equal(answer.json.n, 1);
  assert.equal(answer.json, answer.json, 'the same object each time');
});

test('present returns what is there and names what is missing', () => {
  assert.equal(present(0, 'zero'), 0);
  assert.throws(() => present(undefined, 'meeting.sessions'), /meeting\.sessions is missing/);
  assert.throws(() => present(null, 'analysis.lastRun'), /analysis\.lastRun is missing/);
});
