// The test-side KQL evaluator on small tables: each operator and function the workbook uses, KQL's typing where
// it changes results (integer division, nulls), and the "unsupported" error for anything outside its subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateKql, toJson, type KqlTable } from './kqlEvaluator.js';
import { Timespan } from './kqlValues.js';

const NOW = new Date('2026-03-20T12:00:00Z');
const d = (iso: string): Date => new Date(iso);

const T: KqlTable = {
  columns: ['Id', 'Site', 'N', 'Rate', 'At', 'Ok', 'User'],
  rows: [
    { Id: 'a', Site: 'HQ', N: 4n, Rate: 0.25, At: d('2026-03-18T09:30:00Z'), Ok: true, User: 'x@c' },
    { Id: 'a', Site: 'HQ', N: 6n, Rate: null, At: d('2026-03-19T10:00:00Z'), Ok: false, User: '' },
    { Id: 'b', Site: 'Branch', N: 3n, Rate: 0.5, At: d('2026-03-19T23:59:00Z'), Ok: true, User: 'y@c' },
    { Id: 'c', Site: 'Branch', N: 1n, Rate: 0.125, At: d('2026-03-01T00:00:00Z'), Ok: true, User: 'y@c' },
  ],
};

function run(query: string, tables: Record<string, KqlTable> = { T }): Array<Record<string, unknown>> {
  const result = evaluateKql(query, tables, NOW);
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c) => [c, toJson(r[c] ?? null)])));
}

test('where with comparison, and/or, between and a bare boolean column', () => {
  assert.deepEqual(run('T | where Site == "HQ" and N > 4 or Id == "c" | project Id, N'), [
    { Id: 'a', N: 6 },
    { Id: 'c', N: 1 },
  ]);
  assert.deepEqual(
    run('T | where At between (todatetime("2026-03-18T00:00:00Z") .. todatetime("2026-03-19T23:59:00Z")) | project Id'),
    [{ Id: 'a' }, { Id: 'a' }, { Id: 'b' }],
    'between includes both ends',
  );
  assert.deepEqual(run('T | where Ok | project Id'), [{ Id: 'a' }, { Id: 'b' }, { Id: 'c' }]);
  assert.deepEqual(run('T | where Rate > 0.2 | project Id'), [{ Id: 'a' }, { Id: 'b' }], 'null compares false');
  assert.deepEqual(run('T | where At > ago(2d) | project Id'), [{ Id: 'a' }, { Id: 'b' }], 'after 2026-03-18T12:00');
});

test('summarize: sum, count, dcount, max, make_set, named by-expressions, by-columns first', () => {
  const result = run(
    'T | summarize Total = sum(N), Rows = count(), Ids = dcount(Id), Last = max(At), Sites = make_set(Site, 1) by Day = startofday(At)',
  );
  assert.deepEqual(Object.keys(result[0]!), ['Day', 'Total', 'Rows', 'Ids', 'Last', 'Sites']);
  assert.deepEqual(result, [
    { Day: '2026-03-18T00:00:00.000Z', Total: 4, Rows: 1, Ids: 1, Last: '2026-03-18T09:30:00.000Z', Sites: ['HQ'] },
    { Day: '2026-03-19T00:00:00.000Z', Total: 9, Rows: 2, Ids: 2, Last: '2026-03-19T23:59:00.000Z', Sites: ['HQ'] },
    { Day: '2026-03-01T00:00:00.000Z', Total: 1, Rows: 1, Ids: 1, Last: '2026-03-01T00:00:00.000Z', Sites: ['Branch'] },
  ]);
  assert.deepEqual(run('T | summarize S = sum(Rate) by Site'), [
    { Site: 'HQ', S: 0.25 },
    { Site: 'Branch', S: 0.625 },
  ]);
  assert.deepEqual(run('T | where Id == "z" | summarize n = count()'), [{ n: 0 }], 'no by: one row even on no input');
  assert.deepEqual(run('T | summarize Avg = round(sum(N) / 4.0, 1), Per = sum(N) / dcount(Id)'), [
    { Avg: 3.5, Per: 4 },
  ]);
  assert.throws(() => run('T | summarize x = N + 1'), /unsupported: summarize expression without aggregation/);
});

test('summarize arg_max(col, *) keeps the whole row of the maximum per group', () => {
  assert.deepEqual(run('T | summarize arg_max(At, *) by Id | project Id, N, At'), [
    { Id: 'a', N: 6, At: '2026-03-19T10:00:00.000Z' },
    { Id: 'b', N: 3, At: '2026-03-19T23:59:00.000Z' },
    { Id: 'c', N: 1, At: '2026-03-01T00:00:00.000Z' },
  ]);
  const t = evaluateKql('T | summarize arg_max(N, *) by Site', { T }, NOW);
  assert.deepEqual(t.columns, ['Site', 'N', 'Id', 'Rate', 'At', 'Ok', 'User']);
});

test('let statements (tabular and scalar) and join kind=leftsemi on several columns', () => {
  const rows = run(
    `let Min = 3;
let Latest = T | summarize At = max(At) by Id;
T | join kind=leftsemi Latest on Id, At | where N >= Min | project Id, N`,
  );
  assert.deepEqual(rows, [
    { Id: 'a', N: 6 },
    { Id: 'b', N: 3 },
  ]);
});

test('extend and project: expressions, renames, iff, case, round, real(null), isnull, isnotempty, max_of', () => {
  const rows = run(`T | extend Pct = iff(N > 3, round(100.0 * N / 7, 2), real(null))
| project Id, Pct, Whole = N / 4, Band = case(N < 2, "low", N <= 4, "mid", "high"), NoRate = isnull(Rate),
    HasUser = isnotempty(User), Floor = max_of(N - 5, 0.0)`);
  assert.deepEqual(rows, [
    { Id: 'a', Pct: 57.14, Whole: 1, Band: 'mid', NoRate: false, HasUser: true, Floor: 0 },
    { Id: 'a', Pct: 85.71, Whole: 1, Band: 'high', NoRate: true, HasUser: false, Floor: 1 },
    { Id: 'b', Pct: null, Whole: 0, Band: 'mid', NoRate: false, HasUser: true, Floor: 0 },
    { Id: 'c', Pct: null, Whole: 0, Band: 'low', NoRate: false, HasUser: true, Floor: 0 },
  ]);
  assert.deepEqual(run('T | take 1 | project R = round(2.345, 2), S = round(-0.5), I = 7 / 2, F = 7 / 2.0'), [
    { R: 2.35, S: -1, I: 3, F: 3.5 },
  ]);
});

test('order by several keys (asc, desc, desc by default) and take', () => {
  assert.deepEqual(run('T | order by Site asc, N | project Site, N'), [
    { Site: 'Branch', N: 3 },
    { Site: 'Branch', N: 1 },
    { Site: 'HQ', N: 6 },
    { Site: 'HQ', N: 4 },
  ]);
  assert.deepEqual(run('T | order by Rate desc | take 2 | project Id'), [{ Id: 'b' }, { Id: 'a' }]);
  assert.deepEqual(
    run('T | order by Rate asc | project Id'),
    [{ Id: 'a' }, { Id: 'c' }, { Id: 'a' }, { Id: 'b' }],
    'nulls first',
  );
});

test('anything outside the subset throws "unsupported" with its offset, never ignored', () => {
  const cases: Array<[string, RegExp]> = [
    ['T | distinct Site', /unsupported: DistinctOperator at 4$/],
    ['T | join kind=inner T on Id', /unsupported: join kind=inner at 4$/],
    ['T | extend x = strlen(Site)', /unsupported: function strlen at 15$/],
    ['T | summarize percentile(N, 50)', /unsupported: aggregation percentile at 14$/],
    ['T | summarize arg_max(N, Id)', /unsupported: arg_max other than \(column, \*\) at 14$/],
    ['T | where Site in ("HQ")', /unsupported: InExpression at 10$/],
    ['T | order by N asc nulls last', /unsupported: nulls first\/last at 15$/],
    ['T | where Site has "Q"', /unsupported: HasExpression at 10$|unsupported: operator has at 10$/],
  ];
  for (const [query, message] of cases) assert.throws(() => evaluateKql(query, { T }, NOW), message, query);
  assert.throws(() => evaluateKql('T | where', { T }, NOW), /syntax error/);
  assert.throws(() => evaluateKql('U | take 1', { T }, NOW), /unknown table U/);
  assert.throws(() => evaluateKql('T | where Nope > 1', { T }, NOW), /unknown name Nope/);
});

test('timespans and datetimes: ago, datetime arithmetic', () => {
  assert.deepEqual(run('T | take 1 | project A = ago(1d), B = datetime(2026-03-20) - 12h'), [
    { A: '2026-03-19T12:00:00.000Z', B: '2026-03-19T12:00:00.000Z' },
  ]);
  assert.ok(new Timespan(5).ms === 5);
});
