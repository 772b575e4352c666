// A small KQL evaluator for tests: runs the workbook's and the alert's queries (infra/log-analytics/queries) on
// in-memory tables, walking the syntax tree of @kusto/language-service-next. It knows exactly the subset those
// queries use: let statements (tabular or scalar), pipes, where, summarize, join kind=leftsemi on columns, extend,
// project (with renames and expressions), order by / sort by, take / limit. Anything else throws
// "unsupported: <what> at <offset>" rather than being ignored. Not a Kusto engine: no types beyond kqlValues.ts,
// dcount is exact, no query limits.
import { summarize } from './kqlAggregates.js';
import { evaluateScalar } from './kqlScalar.js';
import { items, kind, parseQuery, simpleName, text, unsupported, type Node } from './kqlSyntax.js';
import { sortCompare, valueKey, type KqlRow, type KqlTable, type KqlValue } from './kqlValues.js';

export { tableFromJson, toJson, type KqlTable, type KqlRow, type KqlValue } from './kqlValues.js';

interface Scope {
  tables: ReadonlyMap<string, KqlTable>;
  lets: Map<string, KqlValue>;
  now: Date;
}

/** Runs `query` over `tables` (by name) with `now` as the clock of ago(); returns the last statement's table. */
export function evaluateKql(query: string, tables: Record<string, KqlTable>, now: Date): KqlTable {
  const root = parseQuery(query);
  const scope: Scope = { tables: new Map(Object.entries(tables)), lets: new Map(), now };
  const tabularLets = new Map<string, KqlTable>();
  let result: KqlTable | undefined;
  for (const statement of items(root.Statements)) {
    const all = new Map([...scope.tables, ...tabularLets]);
    const here: Scope = { ...scope, tables: all };
    if (kind(statement) === 'LetStatement') {
      const name = simpleName(statement.Name);
      if (isTabular(statement.Expression, all)) tabularLets.set(name, tabular(statement.Expression, here));
      else scope.lets.set(name, evaluateScalar(statement.Expression, { row: {}, lets: scope.lets, now }));
    } else if (kind(statement) === 'ExpressionStatement') {
      result = tabular(statement.Expression, here);
    } else throw unsupported(kind(statement), statement);
  }
  if (result === undefined) throw new Error('the query has no tabular expression statement');
  return result;
}

function isTabular(node: Node, tables: ReadonlyMap<string, KqlTable>): boolean {
  if (kind(node) === 'PipeExpression') return true;
  return kind(node) === 'NameReference' && tables.has(simpleName(node));
}

function tabular(node: Node, scope: Scope): KqlTable {
  switch (kind(node)) {
    case 'NameReference': {
      const table = scope.tables.get(simpleName(node));
      if (table === undefined) throw new Error(`unknown table ${simpleName(node)} at ${Number(node.TextStart)}`);
      return table;
    }
    case 'ParenthesizedExpression':
      return tabular(node.Expression, scope);
    case 'PipeExpression':
      return operator(node.Operator, tabular(node.Expression, scope), scope);
    default:
      throw unsupported(kind(node), node);
  }
}

function noParameters(op: Node): void {
  if (items(op.Parameters).length > 0) throw unsupported(`parameters of ${text(op)}`, op);
}

function operator(op: Node, input: KqlTable, scope: Scope): KqlTable {
  const scalar = (n: Node, row: KqlRow): KqlValue => evaluateScalar(n, { row, lets: scope.lets, now: scope.now });
  switch (kind(op)) {
    case 'FilterOperator':
      noParameters(op);
      return { columns: input.columns, rows: input.rows.filter((row) => scalar(op.Condition, row) === true) };
    case 'SummarizeOperator':
      return summarize(op, input, scope.now, scope.lets);
    case 'ExtendOperator':
    case 'ProjectOperator': {
      const project = kind(op) === 'ProjectOperator';
      const outputs = items(op.Expressions).map((n, i) => {
        if (kind(n) === 'SimpleNamedExpression') return { name: simpleName(n.Name), node: n.Expression };
        if (kind(n) === 'NameReference') return { name: simpleName(n), node: n };
        if (project) throw unsupported(`unnamed project expression ${text(n)}`, n);
        return { name: `Column${i + 1}`, node: n };
      });
      for (const o of outputs)
        if (project && kind(o.node) === 'NameReference' && !input.columns.includes(simpleName(o.node)))
          throw new Error(`unknown column ${simpleName(o.node)} at ${Number(o.node.TextStart)}`);
      const names = outputs.map((o) => o.name);
      const columns = project ? names : [...input.columns, ...names.filter((n) => !input.columns.includes(n))];
      const rows = input.rows.map((row) => {
        const out: KqlRow = project ? {} : { ...row };
        // Each expression sees the input row (KQL's extend does not see its own new columns).
        for (const o of outputs) out[o.name] = scalar(o.node, row);
        return out;
      });
      return { columns, rows };
    }
    case 'SortOperator': {
      noParameters(op);
      const keys = items(op.Expressions).map((n) => {
        if (kind(n) !== 'OrderedExpression') return { node: n, desc: true };
        const ordering = n.Ordering;
        if (ordering?.NullsClause) throw unsupported('nulls first/last', ordering);
        const word = ordering?.AscOrDescKeyword ? String(ordering.AscOrDescKeyword.Text) : 'desc';
        return { node: n.Expression, desc: word === 'desc' };
      });
      const decorated = input.rows.map((row, index) => ({ row, index, values: keys.map((k) => scalar(k.node, row)) }));
      decorated.sort((a, b) => {
        for (let i = 0; i < keys.length; i++) {
          const c = sortCompare(a.values[i]!, b.values[i]!);
          if (c !== 0) return keys[i]!.desc ? -c : c;
        }
        return a.index - b.index;
      });
      return { columns: input.columns, rows: decorated.map((d) => d.row) };
    }
    case 'TakeOperator': {
      noParameters(op);
      const count = scalar(op.Expression, {});
      if (typeof count !== 'bigint') throw unsupported('take of a non-integer', op);
      return { columns: input.columns, rows: input.rows.slice(0, Number(count)) };
    }
    case 'JoinOperator':
      return leftSemiJoin(op, input, scope);
    default:
      throw unsupported(kind(op), op);
  }
}

function leftSemiJoin(op: Node, left: KqlTable, scope: Scope): KqlTable {
  const parameters = items(op.Parameters);
  const kindParameter = parameters.find((p) => simpleName(p.Name) === 'kind');
  if (parameters.length !== 1 || kindParameter === undefined) throw unsupported(`join without kind= only`, op);
  const joinKind = String(kindParameter.Expression.Token.Text);
  if (joinKind !== 'leftsemi') throw unsupported(`join kind=${joinKind}`, op);
  if (kind(op.ConditionClause) !== 'JoinOnClause') throw unsupported(kind(op.ConditionClause), op.ConditionClause);
  const on = items(op.ConditionClause.Expressions).map((n) => {
    if (kind(n) !== 'NameReference') throw unsupported(`join condition ${text(n)}`, n);
    return simpleName(n);
  });
  const right = tabular(op.Expression, scope);
  for (const [side, table] of [
    ['left', left],
    ['right', right],
  ] as const)
    for (const column of on)
      if (!table.columns.includes(column))
        throw new Error(`join: no column ${column} on the ${side} at ${Number(op.TextStart)}`);
  const keyOf = (row: KqlRow): string => on.map((c) => valueKey(row[c] ?? null)).join('|');
  const present = new Set(right.rows.map(keyOf));
  return { columns: left.columns, rows: left.rows.filter((row) => present.has(keyOf(row))) };
}
