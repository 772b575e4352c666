import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareRoutePrecedence,
  compileBlobPath,
  compileRoute,
  resolveSettings,
  TemplateError,
} from '../../src/local/templates.js';

test('%SETTING% tokens come from the environment, then from the names.json defaults', () => {
  assert.equal(resolveSettings('%EXPORTS_CONTAINER%/{name}', {}, 'f'), 'audit-exports/{name}');
  assert.equal(resolveSettings('%EXPORTS_CONTAINER%/{name}', { EXPORTS_CONTAINER: 'mine' }, 'f'), 'mine/{name}');
  // An empty value counts as unset, as in setting().
  assert.equal(resolveSettings('%EXPORTS_CONTAINER%', { EXPORTS_CONTAINER: '' }, 'f'), 'audit-exports');
  assert.throws(
    () => resolveSettings('%NOPE%/x', {}, 'function f'),
    /App setting NOPE \(used by function f\) is not set/,
  );
});

test('route parameters match one segment, are URL-decoded and keep their declared names', () => {
  const r = compileRoute('meetings/{meetingId}', 'f');
  assert.deepEqual(r.match('meetings/abc%20def')?.params, { meetingId: 'abc def' });
  assert.deepEqual(r.match('MEETINGS/x')?.params, { meetingId: 'x' }, 'literal segments are case-insensitive');
  assert.equal(r.match('meetings'), undefined);
  assert.equal(r.match('meetings/a/b'), undefined);
  assert.equal(r.match('meetings/%E0%A4%A'), undefined, 'malformed escapes do not match');
});

test('constraints, optional last parameters and catch-alls', () => {
  const int = compileRoute('items/{id:int}', 'f');
  assert.deepEqual(int.match('items/42')?.params, { id: '42' });
  assert.equal(int.match('items/4x'), undefined);
  assert.equal(int.match('items/99999999999'), undefined, 'int is 32-bit');

  const optional = compileRoute('uploads/{name?}', 'f');
  assert.deepEqual(optional.match('uploads')?.params, {});
  assert.deepEqual(optional.match('uploads/a.csv')?.params, { name: 'a.csv' });

  const rest = compileRoute('files/{*path}', 'f');
  assert.deepEqual(rest.match('files/a/b/c.csv')?.params, { path: 'a/b/c.csv' });
  assert.deepEqual(rest.match('files')?.params, {});

  const mixed = compileRoute('export/{name}.{ext}', 'f');
  assert.deepEqual(mixed.match('export/report.final.csv')?.params, { name: 'report', ext: 'final.csv' });
});

test('unsupported route templates fail at start-up with the function named', () => {
  assert.throws(
    () => compileRoute('a/{*rest}/b', 'fnA'),
    (e: unknown) => e instanceof TemplateError && /fnA.*catch-all/.test(e.message),
  );
  assert.throws(() => compileRoute('a/{id:regex(x)}', 'fnB'), /is not a supported route segment|not supported/);
  assert.throws(() => compileRoute('a/{id:color}', 'fnC'), /constraint ":color" is not supported/);
  assert.throws(() => compileRoute('{a}/{A}', 'fnD'), /parameter \{a\} appears twice/);
});

test('more specific routes sort first: literals, then constrained, then plain parameters, then catch-alls', () => {
  const routes = ['{*all}', 'meetings/{id}', 'meetings/summary', 'meetings/{id:int}', 'meetings'].map((t) =>
    compileRoute(t, 'f'),
  );
  const order = [...routes].sort(compareRoutePrecedence).map((r) => r.template);
  assert.deepEqual(order, ['meetings/summary', 'meetings/{id:int}', 'meetings/{id}', 'meetings', '{*all}']);
  // Where both match ("uploads" matches "uploads/{*name}" too), the route that has ended wins.
  const overlapping = ['uploads/{*name}', 'uploads/{name?}', 'uploads'].map((t) => compileRoute(t, 'f'));
  assert.ok(overlapping.every((r) => r.match('uploads')));
  assert.deepEqual(
    [...overlapping].sort(compareRoutePrecedence).map((r) => r.template),
    ['uploads', 'uploads/{name?}', 'uploads/{*name}'],
  );
});

test('blob paths: container, listing prefix and {tokens}', () => {
  const p = compileBlobPath('audit-exports/{name}', 'f');
  assert.equal(p.container, 'audit-exports');
  assert.equal(p.prefix, '');
  assert.deepEqual(p.match('2024/export.csv'), { name: '2024/export.csv' });

  const q = compileBlobPath('inbox/incoming/{folder}/{name}.csv', 'f');
  assert.equal(q.prefix, 'incoming/');
  assert.deepEqual(q.match('incoming/tenant1/x.y.csv'), { folder: 'tenant1', name: 'x.y' });
  assert.equal(q.match('incoming/tenant1/x.json'), undefined);
  assert.equal(q.match('other/tenant1/x.csv'), undefined);

  assert.throws(
    () => compileBlobPath('Bad_Container/{name}', 'fnE'),
    /fnE: "Bad_Container" is not a valid container name/,
  );
  assert.throws(() => compileBlobPath('audit-exports', 'fnF'), /needs a blob name pattern/);
});

test('blob paths: {name} matches names with newlines and other control characters, as the Functions host does', () => {
  const p = compileBlobPath('audit-exports/{name}', 'f');
  assert.deepEqual(p.match('line\nbreak.csv'), { name: 'line\nbreak.csv' });
  assert.deepEqual(p.match('cr\r\u0085\u2028.csv'), { name: 'cr\r\u0085\u2028.csv' });
  const q = compileBlobPath('inbox/{folder}/{name}.csv', 'f');
  assert.deepEqual(q.match('a\nb/c\nd.csv'), { folder: 'a\nb', name: 'c\nd' });
});
