// Values of the test-side KQL evaluator (kqlEvaluator.ts): KQL's scalar types as JavaScript values. int and long are
// bigint (so that int / int divides as KQL does), real is number, datetime is Date, timespan is Timespan, dynamic
// arrays are arrays, an empty value is null.
import type { ColumnType } from '../../../src/pipeline/logAnalytics/tables.js';

export class Timespan {
  constructor(readonly ms: number) {}
}

export type KqlValue = null | boolean | string | number | bigint | Date | Timespan | KqlValue[];
export type KqlRow = Record<string, KqlValue>;

/** A tabular value: its columns in order and its rows. */
export interface KqlTable {
  columns: string[];
  rows: KqlRow[];
}

/** A JSON value of a row as the Logs Ingestion API receives it, typed by its column's declared type. */
export function fromJson(value: unknown, type: ColumnType): KqlValue {
  if (value === null || value === undefined) return type === 'string' ? '' : null;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'int':
    case 'long':
      return BigInt(value as number);
    case 'real':
      return Number(value);
    case 'boolean':
      return value === true;
    case 'datetime': {
      const ms = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isFinite(ms) ? new Date(ms) : null;
    }
    case 'dynamic':
      return value as KqlValue;
  }
}

/** A value as JSON: bigint as number, datetime as ISO text, timespan as milliseconds. */
export function toJson(value: KqlValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Timespan) return value.ms;
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

/** A key for grouping and joining: equal values, equal keys (1 and 1.0 differ, as their types do). */
export function valueKey(value: KqlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `i${value}`;
  if (typeof value === 'number') return `r${value}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Timespan) return `t${value.ms}`;
  return JSON.stringify(value);
}

const isNumeric = (v: KqlValue): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/** Orders two values of the same kind; null when they cannot be compared (either empty, or different kinds). */
export function compare(a: KqlValue, b: KqlValue): number | null {
  if (a === null || b === null) return null;
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return Number(a) - Number(b);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Timespan && b instanceof Timespan) return a.ms - b.ms;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return null;
}

/** Sort order: null first (ascending), as KQL's default for asc. */
export function sortCompare(a: KqlValue, b: KqlValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compare(a, b) ?? 0;
}

/** KQL arithmetic: int op int stays int (division truncates), anything with a real is real; null in, null out. */
export function arithmetic(op: string, a: KqlValue, b: KqlValue, where: string): KqlValue {
  if (a === null || b === null) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return b === 0n ? null : a / b;
      case '%':
        return b === 0n ? null : a % b;
    }
  }
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return y === 0 ? null : x / y;
      case '%':
        return y === 0 ? null : x % y;
    }
  }
  if (a instanceof Date && b instanceof Timespan && (op === '+' || op === '-'))
    return new Date(a.getTime() + (op === '+' ? b.ms : -b.ms));
  if (a instanceof Date && b instanceof Date && op === '-') return new Timespan(a.getTime() - b.getTime());
  throw new Error(`unsupported: ${op} of ${kindOf(a)} and ${kindOf(b)} at ${where}`);
}

export function kindOf(value: KqlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return 'real';
  if (value instanceof Date) return 'datetime';
  if (value instanceof Timespan) return 'timespan';
  if (Array.isArray(value)) return 'dynamic';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** Rows as the Logs Ingestion API received them, as a table with the declared columns. */
export function tableFromJson(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
): KqlTable {
  return {
    columns: columns.map((c) => c.name),
    rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, fromJson(r[c.name], c.type)]))),
  };
}
