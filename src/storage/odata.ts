// Building OData filters for the table modules' report and purge queries: every value is quoted or typed here,
// never pasted. The filters name storage properties, so only the table modules that write them build them.
import type { TableClient } from '@azure/data-tables';
import { doubleLiteral, stringLiteral } from './tableEntities.js';
import { prefixUpperBound } from './keys.js';

/** What the report routes select rows by, in storage's terms (epoch ms bounds: from inclusive, to exclusive). */
export interface RecordFilter {
  meeting?: string;
  from?: number;
  to?: number;
  /** Organiser UPN or object id (case-insensitive). */
  organizer?: string;
  /** Attendee object id, UPN or display name (the UPN case-insensitive). */
  user?: string;
}

/** A query of one table, as a table module builds it, for a pager to read page by page. */
export interface TableQuery {
  readonly table: TableClient;
  readonly filter?: string;
}

export function eq(property: string, value: string): string {
  return `${property} eq ${stringLiteral(value)}`;
}

export function anyOf(parts: string[]): string | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`;
}

export function allOf(parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? undefined : present.join(' and ');
}

/** `property ge from and property lt to` on a Double property (either bound may be open). */
export function timeRange(property: string, from: number | undefined, to: number | undefined): string | undefined {
  return allOf([
    from === undefined ? undefined : `${property} ge ${doubleLiteral(from)}`,
    to === undefined ? undefined : `${property} lt ${doubleLiteral(to)}`,
  ]);
}

/** `(a lt cutoff or b lt cutoff …)` on Double properties: rows where any of them is before `cutoff`. */
export function anyBefore(properties: readonly string[], cutoff: number): string {
  return anyOf(properties.map((p) => `${p} lt ${doubleLiteral(cutoff)}`)) ?? 'false';
}

/** `property ge 'prefix' and property lt <the prefix's upper bound>`: the keys starting with `prefix`. */
export function startsWith(property: 'PartitionKey' | 'RowKey', prefix: string): string {
  return `${property} ge ${stringLiteral(prefix)} and ${property} lt ${stringLiteral(prefixUpperBound(prefix))}`;
}

/** `property lt 'value'`: keys sorting before `value`. */
export function before(property: 'PartitionKey' | 'RowKey', value: string): string {
  return `${property} lt ${stringLiteral(value)}`;
}

/** UTC days (YYYY-MM-DD) covering [from, to). */
export function dayBounds(from: number | undefined, to: number | undefined): { fromDay?: string; toDay?: string } {
  const out: { fromDay?: string; toDay?: string } = {};
  if (from !== undefined) out.fromDay = new Date(Math.max(0, from)).toISOString().slice(0, 10);
  if (to !== undefined) out.toDay = new Date(Math.max(0, to - 1)).toISOString().slice(0, 10);
  return out;
}
