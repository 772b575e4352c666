// summarize for the test-side KQL evaluator: groups by named by-expressions, and the aggregation functions the
// workbook and alert queries use (count, sum, dcount, max, min, arg_max(col, *), make_set(col, n)).
import { evaluateScalar } from './kqlScalar.js';
import { at, items, kind, simpleName, text, unsupported, type Node } from './kqlSyntax.js';
import { arithmetic, compare, valueKey, type KqlRow, type KqlTable, type KqlValue } from './kqlValues.js';

interface Named {
  name: string;
  node: Node;
}

/** `Name = expr` or a bare column (named after it); other unnamed expressions get KQL's Column1-style names. */
function named(node: Node, fallback: string): Named {
  if (kind(node) === 'SimpleNamedExpression') return { name: simpleName(node.Name), node: node.Expression };
  if (kind(node) === 'NameReference') return { name: simpleName(node), node };
  return { name: fallback, node };
}

const AGGREGATIONS = new Set(['count', 'sum', 'dcount', 'max', 'min', 'make_set', 'arg_max', 'arg_min']);

/** The aggregation calls in an expression such as round(sum(x) / 60.0, 1) (not inside one another). */
function aggregationCalls(node: Node): Node[] {
  if (kind(node) === 'FunctionCallExpression' && AGGREGATIONS.has(simpleName(node.Name))) return [node];
  const out: Node[] = [];
  for (let i = 0; i < Number(node.ChildCount); i++) {
    const child = node.GetChild(i);
    if (child !== null && child !== undefined && !child.IsToken) out.push(...aggregationCalls(child));
  }
  return out;
}

/** One aggregation, or a scalar expression over aggregations, over a group's rows: its output columns and values. */
function aggregateExpression(
  agg: Named,
  rows: KqlRow[],
  table: KqlTable,
  now: Date,
  lets: ReadonlyMap<string, KqlValue>,
): KqlRow {
  const call = agg.node;
  if (kind(call) === 'FunctionCallExpression' && AGGREGATIONS.has(simpleName(call.Name)))
    return aggregate(agg, rows, table, now, lets);
  const calls = aggregationCalls(call);
  if (calls.length === 0 && kind(call) === 'FunctionCallExpression')
    throw unsupported(`aggregation ${simpleName(call.Name)}`, call);
  if (calls.length === 0) throw unsupported(`summarize expression without aggregation ${text(call)}`, call);
  const values = new Map<number, KqlValue>();
  for (const inner of calls) {
    const result = aggregate({ name: 'value', node: inner }, rows, table, now, lets);
    if (!('value' in result)) throw unsupported(`${simpleName(inner.Name)} inside an expression`, inner);
    values.set(Number(inner.TextStart), result['value'] ?? null);
  }
  return { [agg.name]: evaluateScalar(call, { row: {}, lets, now, aggregates: values }) };
}

/** One aggregation over a group's rows: its output columns and values. */
function aggregate(
  agg: Named,
  rows: KqlRow[],
  table: KqlTable,
  now: Date,
  lets: ReadonlyMap<string, KqlValue>,
): KqlRow {
  const call = agg.node;
  if (kind(call) !== 'FunctionCallExpression') throw unsupported(`aggregate ${kind(call)}`, call);
  const fn = simpleName(call.Name);
  const args = items(call.ArgumentList.Expressions);
  const values = (arg: Node): KqlValue[] => rows.map((row) => evaluateScalar(arg, { row, lets, now }));
  switch (fn) {
    case 'count':
      return { [agg.name]: BigInt(rows.length) };
    case 'sum': {
      const present = values(at(args, 0)).filter((v) => v !== null);
      const zero: KqlValue = present.some((v) => typeof v === 'number') ? 0 : 0n;
      let total: KqlValue = zero;
      for (const v of present) total = arithmetic('+', total, typeof total === 'number' ? Number(v) : v, text(call));
      return { [agg.name]: total };
    }
    case 'dcount':
      // Exact distinct count: Kusto's dcount is an estimate, exact for the few values of test data.
      return {
        [agg.name]: BigInt(
          new Set(
            values(at(args, 0))
              .filter((v) => v !== null)
              .map(valueKey),
          ).size,
        ),
      };
    case 'max':
    case 'min': {
      const present = values(at(args, 0)).filter((v) => v !== null);
      const sign = fn === 'max' ? 1 : -1;
      const best = present.reduce<KqlValue>((a, b) => (a === null || sign * (compare(b, a) ?? 0) > 0 ? b : a), null);
      return { [agg.name]: best };
    }
    case 'make_set': {
      const limit = args.length > 1 ? Number(evaluateScalar(at(args, 1), { row: {}, lets, now })) : Infinity;
      const seen = new Map<string, KqlValue>();
      for (const v of values(at(args, 0))) if (v !== null && seen.size < limit) seen.set(valueKey(v), v);
      return { [agg.name]: [...seen.values()] };
    }
    case 'arg_max':
    case 'arg_min': {
      if (args.length !== 2 || kind(at(args, 1)) !== 'StarExpression')
        throw unsupported(`${fn} other than (column, *)`, call);
      const sign = fn === 'arg_max' ? 1 : -1;
      let best: KqlRow | undefined;
      let bestValue: KqlValue = null;
      for (const row of rows) {
        const v = evaluateScalar(at(args, 0), { row, lets, now });
        if (v !== null && (best === undefined || sign * (compare(v, bestValue) ?? 0) > 0)) {
          best = row;
          bestValue = v;
        }
      }
      const keyName = kind(at(args, 0)) === 'NameReference' ? simpleName(at(args, 0)) : agg.name;
      const out: KqlRow = { [keyName]: bestValue };
      for (const column of table.columns) if (column !== keyName) out[column] = best?.[column] ?? null;
      return out;
    }
    default:
      throw unsupported(`aggregation ${fn}`, call);
  }
}

export function summarize(op: Node, input: KqlTable, now: Date, lets: ReadonlyMap<string, KqlValue>): KqlTable {
  if (items(op.Parameters).length > 0) throw unsupported(`summarize parameters in ${text(op)}`, op);
  const aggregates = items(op.Aggregates).map((n, i) => named(n, `${kind(n)}_${i}`));
  const by = op.ByClause === null || op.ByClause === undefined ? [] : items(op.ByClause.Expressions);
  const keys = by.map((n, i) => named(n, `Column${i + 1}`));
  const groups = new Map<string, { key: KqlRow; rows: KqlRow[] }>();
  for (const row of input.rows) {
    const key: KqlRow = {};
    for (const k of keys) key[k.name] = evaluateScalar(k.node, { row, lets, now });
    const id = keys.map((k) => valueKey(key[k.name]!)).join('|');
    const group = groups.get(id) ?? { key, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  // Without by-columns, summarize gives one row even on no input.
  if (keys.length === 0 && groups.size === 0) groups.set('', { key: {}, rows: [] });
  const columns: string[] = keys.map((k) => k.name);
  const rows = [...groups.values()].map(({ key, rows: members }) => {
    const row: KqlRow = { ...key };
    for (const agg of aggregates) {
      for (const [name, value] of Object.entries(aggregateExpression(agg, members, input, now, lets))) {
        if (name in key) continue; // arg_max(*) does not repeat the by-columns
        row[name] = value;
      }
    }
    return row;
  });
  for (const agg of aggregates) {
    const names = Object.keys(aggregateExpression(agg, [], input, now, lets));
    for (const name of names) if (!columns.includes(name)) columns.push(name);
  }
  return { columns, rows };
}
