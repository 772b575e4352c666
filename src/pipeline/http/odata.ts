// Building OData filters for the report queries: every value is quoted or typed here, never pasted.
import { doubleLiteral, stringLiteral } from '../../storage/tableEntities.js';

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
