// Building OData filters for the table modules' report queries: every value is quoted or typed here,
// never pasted. The filters name storage properties, so only the table modules that write them build them.
import type { TableClient } from '@azure/data-tables';
import { doubleLiteral, stringLiteral } from './tableEntities.js';

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

/** UTC days (YYYY-MM-DD) covering [from, to). */
export function dayBounds(from: number | undefined, to: number | undefined): { fromDay?: string; toDay?: string } {
  const out: { fromDay?: string; toDay?: string } = {};
  if (from !== undefined) out.fromDay = new Date(Math.max(0, from)).toISOString().slice(0, 10);
  if (to !== undefined) out.toDay = new Date(Math.max(0, to - 1)).toISOString().slice(0, 10);
  return out;
}
