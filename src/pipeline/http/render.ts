// Shapes report responses: JSON `{ items, continuationToken }` or CSV (token in a header), and the
// error body `{ error: { code, message, parameter } }`, with the report modules' own renderers.
import { renderCsv, type Column } from '../../reports/render/csv.js';
import { renderJson } from '../../reports/render/json.js';
import type { ApiError, ReportResponse } from './types.js';

export const CONTINUATION_HEADER = 'x-continuation-token';

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
/** U+FEFF at the start of a UTF-8 text: how Excel tells UTF-8 from the local ANSI code page. */
export const UTF8_BOM = '\uFEFF';

/** How a listing is written: JSON or CSV, and for CSV whether a byte order mark starts it. */
export interface OutputOptions {
  format: 'json' | 'csv';
  bom: boolean;
}

export function jsonResponse(value: unknown, status = 200): ReportResponse {
  return { status, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }, body: renderJson(value) };
}

export function csvResponse<R>(
  rows: readonly R[],
  columns: readonly Column<R>[],
  bom: boolean,
  continuationToken?: string,
): ReportResponse {
  const headers: Record<string, string> = { 'content-type': CSV_TYPE, 'cache-control': 'no-store' };
  if (continuationToken !== undefined) headers[CONTINUATION_HEADER] = continuationToken;
  return { status: 200, headers, body: (bom ? UTF8_BOM : '') + renderCsv(rows, columns) };
}

/** A page of rows as JSON or CSV. */
export function listResponse<R>(
  rows: readonly R[],
  continuationToken: string | undefined,
  output: OutputOptions,
  columns: readonly Column<R>[],
  extra: Record<string, unknown> = {},
): ReportResponse {
  if (output.format === 'csv') return csvResponse(rows, columns, output.bom, continuationToken);
  return jsonResponse({ ...extra, items: rows, continuationToken: continuationToken ?? null });
}

export function errorResponse(error: ApiError): ReportResponse {
  const body: { code: string; message: string; parameter?: string } = { code: error.code, message: error.message };
  if (error.parameter !== undefined) body.parameter = error.parameter;
  return jsonResponse({ error: body }, error.status);
}
