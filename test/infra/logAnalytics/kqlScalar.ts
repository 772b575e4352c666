// Scalar expressions of the test-side KQL evaluator: literals, column and let names, comparison, and/or,
// arithmetic, between, and the scalar functions the workbook and alert queries use. Anything else throws.
import { at, items, kind, simpleName, unsupported, type Node } from './kqlSyntax.js';
import { arithmetic, compare, Timespan, valueKey, type KqlRow, type KqlValue } from './kqlValues.js';

/** What a scalar expression can see: the row's columns, scalar let values, and the query's clock. */
export interface ScalarScope {
  row: KqlRow;
  lets: ReadonlyMap<string, KqlValue>;
  now: Date;
  /** Values of aggregation calls inside a summarize expression, by the call's offset. */
  aggregates?: ReadonlyMap<number, KqlValue>;
}

const TIMESPAN_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

export function literal(node: Node): KqlValue {
  const token = String(node.Token.Text);
  if (/^(real|int|long|datetime|timespan|bool|string)\(null\)$/.test(token)) return null;
  if (/^datetime\(/.test(token)) return new Date(Date.parse(token.slice(9, -1).trim()));
  const span = /^(\d+(?:\.\d+)?)(d|h|ms|m|s)$/.exec(token);
  if (span) return new Timespan(Number(span[1]) * TIMESPAN_UNITS[span[2]!]!);
  if (token === 'true' || token === 'false') return token === 'true';
  if (/^\d+$/.test(token)) return BigInt(token);
  if (/^\d*\.?\d+(e[+-]?\d+)?$/i.test(token) || /^\d+\.\d*$/.test(token)) return Number(token);
  if (/^@?["']/.test(token)) return String(node.LiteralValue);
  throw unsupported(`literal ${token}`, node);
}

function truthy(value: KqlValue): boolean {
  return value === true;
}

const COMPARISONS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function binary(node: Node, scope: ScalarScope): KqlValue {
  const op = String(node.Operator.Text);
  if (op === 'and' || op === 'or') {
    const left = evaluateScalar(node.Left, scope);
    if (op === 'and' && left !== true) return false;
    if (op === 'or' && left === true) return true;
    return truthy(evaluateScalar(node.Right, scope));
  }
  const left = evaluateScalar(node.Left, scope);
  const right = evaluateScalar(node.Right, scope);
  if (op === '==' || op === '!=') {
    if (left === null || right === null) return null;
    const same = compare(left, right) === 0 || valueKey(left) === valueKey(right);
    return op === '==' ? same : !same;
  }
  const test = COMPARISONS[op];
  if (test !== undefined) {
    const c = compare(left, right);
    return c === null ? null : test(c);
  }
  if (['+', '-', '*', '/', '%'].includes(op)) return arithmetic(op, left, right, String(node.TextStart));
  throw unsupported(`operator ${op}`, node);
}

function roundAwayFromZero(value: number, digits: number): number {
  const factor = 10 ** digits;
  // toPrecision first, so that 1.005 * 100 (100.49999...) rounds as the decimal it stands for.
  return (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
}

type ScalarFunction = (args: Node[], scope: ScalarScope, node: Node) => KqlValue;

const FUNCTIONS: Record<string, ScalarFunction> = {
  iff: (args, scope) =>
    truthy(evaluateScalar(at(args, 0), scope))
      ? evaluateScalar(at(args, 1), scope)
      : evaluateScalar(at(args, 2), scope),
  case: (args, scope, node) => {
    if (args.length % 2 !== 1) throw unsupported('case without an else value', node);
    for (let i = 0; i + 1 < args.length; i += 2)
      if (truthy(evaluateScalar(at(args, i), scope))) return evaluateScalar(at(args, i + 1), scope);
    return evaluateScalar(at(args, args.length - 1), scope);
  },
  round: (args, scope, node) => {
    const value = evaluateScalar(at(args, 0), scope);
    const digits = args.length > 1 ? evaluateScalar(at(args, 1), scope) : 0n;
    if (value === null) return null;
    if (typeof value === 'bigint') return value;
    if (typeof value !== 'number' || typeof digits !== 'bigint') throw unsupported('round of a non-number', node);
    return roundAwayFromZero(value, Number(digits));
  },
  isnull: (args, scope) => evaluateScalar(at(args, 0), scope) === null,
  isnotnull: (args, scope) => evaluateScalar(at(args, 0), scope) !== null,
  isempty: (args, scope) => {
    const v = evaluateScalar(at(args, 0), scope);
    return v === null || v === '';
  },
  isnotempty: (args, scope) => {
    const v = evaluateScalar(at(args, 0), scope);
    return v !== null && v !== '';
  },
  not: (args, scope) => {
    const v = evaluateScalar(at(args, 0), scope);
    return v === null ? null : !truthy(v);
  },
  max_of: (args, scope) => {
    const values = args.map((a) => evaluateScalar(a, scope)).filter((v) => v !== null);
    if (values.length === 0) return null;
    const real = values.some((v) => typeof v === 'number');
    const best = values.reduce((a, b) => ((compare(a, b) ?? 0) >= 0 ? a : b));
    return real && typeof best === 'bigint' ? Number(best) : best;
  },
  todatetime: (args, scope) => {
    const v = evaluateScalar(at(args, 0), scope);
    if (v instanceof Date || v === null) return v;
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    return Number.isFinite(ms) ? new Date(ms) : null;
  },
  ago: (args, scope, node) => {
    const span = evaluateScalar(at(args, 0), scope);
    if (!(span instanceof Timespan)) throw unsupported('ago of a non-timespan', node);
    return new Date(scope.now.getTime() - span.ms);
  },
  now: (_args, scope) => scope.now,
  startofday: (args, scope) => {
    const v = evaluateScalar(at(args, 0), scope);
    return v instanceof Date ? new Date(Date.UTC(v.getUTCFullYear(), v.getUTCMonth(), v.getUTCDate())) : null;
  },
};

export function evaluateScalar(node: Node, scope: ScalarScope): KqlValue {
  switch (kind(node)) {
    case 'LiteralExpression':
      return literal(node);
    case 'NameReference': {
      const name = simpleName(node);
      if (Object.prototype.hasOwnProperty.call(scope.row, name)) return scope.row[name]!;
      if (scope.lets.has(name)) return scope.lets.get(name)!;
      throw new Error(`unknown name ${name} at ${Number(node.TextStart)}`);
    }
    case 'ParenthesizedExpression':
      return evaluateScalar(node.Expression, scope);
    case 'PrefixUnaryExpression': {
      const value = evaluateScalar(node.Expression, scope);
      const op = String(node.Operator.Text);
      if (op === '-') return arithmetic('-', typeof value === 'bigint' ? 0n : 0, value, String(node.TextStart));
      if (op === '+') return value;
      throw unsupported(`prefix ${op}`, node);
    }
    case 'BinaryExpression':
      return binary(node, scope);
    case 'BetweenExpression': {
      if (String(node.Operator.Text) !== 'between') throw unsupported(String(node.Operator.Text), node);
      const value = evaluateScalar(node.Left, scope);
      const low = compare(value, evaluateScalar(node.Right.First, scope));
      const high = compare(value, evaluateScalar(node.Right.Second, scope));
      return low === null || high === null ? null : low >= 0 && high <= 0;
    }
    case 'FunctionCallExpression': {
      const aggregated = scope.aggregates?.get(Number(node.TextStart));
      if (aggregated !== undefined) return aggregated;
      const name = simpleName(node.Name);
      const fn = FUNCTIONS[name];
      if (fn === undefined) throw unsupported(`function ${name}`, node);
      return fn(items(node.ArgumentList.Expressions), scope, node);
    }
    default:
      throw unsupported(kind(node), node);
  }
}
