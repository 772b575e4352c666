// How a parsed JSON value holds audit records: the AuditData object itself, a Microsoft Graph
// auditLogRecord (the record in `auditData`), a Search-UnifiedAuditLog object as ConvertTo-Json writes it
// (the record in `AuditData`, a JSON string), or a wrapper object holding an array of them.
import { describeJsonError, rejected, toAuditItem, type FieldNamer } from './auditData.js';
import { ExportReadError } from './exportReadError.js';
import type { ExportItem, SourceRef } from './records.js';

type Json = Record<string, unknown>;

/** Keys under which a wrapper object holds its array of records (Graph and ConvertTo-Json: `value`; Azure
 *  diagnostic and CloudTrail-style logs: `records`, `Records`), compared without regard to case. */
export const RECORD_ARRAY_KEYS = ['value', 'records'] as const;

/** Keys of which at least one marks an object as an audit record (or a record in an envelope). */
const RECORD_KEYS = [
  'Operation',
  'Operations',
  'AuditData',
  'auditData',
  'operation',
  'Id',
  'RecordType',
  'CreationTime',
  'Workload',
];

/**
 * Envelope properties that stand for the standard fields of the unified audit record when the record
 * inside lacks them: a Graph auditLogRecord's (camelCase, or PascalCase as the Graph PowerShell SDK's
 * objects serialise), and Search-UnifiedAuditLog's `Operations`.
 */
const ENVELOPE_FIELDS: ReadonlyArray<readonly [auditDataKey: string, envelopeKeys: readonly string[]]> = [
  ['Id', ['id', 'Id']],
  ['Operation', ['operation', 'Operation', 'Operations']],
  ['CreationTime', ['createdDateTime', 'CreatedDateTime']],
  ['OrganizationId', ['organizationId', 'OrganizationId']],
  ['UserId', ['userPrincipalName', 'UserPrincipalName']],
  ['ClientIP', ['clientIp', 'ClientIp', 'ClientIP']],
];

const GRAPH_NEXT_LINK = '@odata.nextLink';
const graphField: FieldNamer = (key) => `auditData.${key}`;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

export function isRecordArrayKey(key: string): boolean {
  const k = key.toLowerCase();
  return (RECORD_ARRAY_KEYS as readonly string[]).includes(k);
}

export function isRecordLike(v: Json): boolean {
  return RECORD_KEYS.some((k) => k in v);
}

/** The array of records a wrapper object holds, if it is one (and not itself a record). */
export function wrappedRecords(v: Json): unknown[] | undefined {
  if (isRecordLike(v)) return undefined;
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (isRecordArrayKey(key) && Array.isArray(value)) return value as unknown[];
  }
  return undefined;
}

/** True when a Graph page says more pages exist. */
export function hasNextLink(v: Json): boolean {
  return typeof v[GRAPH_NEXT_LINK] === 'string' && v[GRAPH_NEXT_LINK] !== '';
}

export const NEXT_LINK_WARNING =
  `the file holds a page of a Microsoft Graph audit log query that has an ${GRAPH_NEXT_LINK}: ` +
  "more records exist that are not in the file (fetch every page, following each page's nextLink, and read them all)";

/** A key as shown in a message: cut at 40 characters, and not shown when it may be an e-mail or IP address. */
function shownKey(k: string): string {
  if (/@|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|::/.test(k))
    return `(a key of ${k.length} characters, not shown because it may contain personal data)`;
  return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
}

function keyList(v: Json): string {
  const keys = Object.keys(v);
  if (keys.length === 0) return 'no keys';
  const shown = keys.slice(0, 8).map(shownKey).join(', ');
  return `${keys.length === 1 ? 'key' : 'keys'} ${shown}${keys.length > 8 ? `, … (${keys.length} keys)` : ''}`;
}

const EXPECTED =
  'expected audit records (Purview AuditData objects, Microsoft Graph auditLogRecords or Search-UnifiedAuditLog ' +
  `objects): an array of them, one per line, or an object holding them under ${RECORD_ARRAY_KEYS.map((k) => `"${k}"`).join(' or ')}`;

/** Where the first object of a file was found, for unknownObjectShape. */
export type ShapePlace = 'top' | 'array' | 'wrapper';

/** The error for a file whose first JSON object is neither a record nor a wrapper of records. */
export function unknownObjectShape(file: string, v: Json, place: ShapePlace): ExportReadError {
  const what =
    place === 'top'
      ? `a JSON object with ${keyList(v)}, which is not an audit record and holds no array of records`
      : `${place === 'array' ? 'a JSON array' : 'an array of records'} whose first element is an object with ${keyList(v)}, which is not an audit record`;
  return new ExportReadError(file, `the file holds ${what}: ${EXPECTED}`);
}

/** The AuditData object of a Graph auditLogRecord or a Search-UnifiedAuditLog object (parsed when it is text). */
function innerRecord(
  container: Json,
  key: 'auditData' | 'AuditData',
  source: SourceRef,
  out: ExportItem[],
): Json | undefined {
  let data = container[key];
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch (e) {
      out.push(rejected(source, key, `${key} cannot be read: ${describeJsonError(e, (data as string).length)}`));
      return undefined;
    }
  }
  if (!isObject(data)) {
    out.push(
      rejected(source, key, `${key} is ${data === null || data === undefined ? 'missing' : 'not a JSON object'}`),
    );
    return undefined;
  }
  return data;
}

/** The record inside an envelope, completed with the standard fields it lacks. */
function completedRecord(envelope: Json, data: Json): Json {
  let completed: Json | undefined;
  for (const [inner, outer] of ENVELOPE_FIELDS) {
    if (!isEmpty(data[inner])) continue;
    const value = outer.map((k) => envelope[k]).find((v) => !isEmpty(v) && typeof v !== 'object');
    if (value === undefined) continue;
    completed ??= { ...data };
    completed[inner] = value;
  }
  return completed ?? data;
}

/** The Graph PowerShell SDK's objects keep the record's fields under AdditionalProperties. */
function withoutSdkWrapper(data: Json): Json {
  const extra = data.AdditionalProperties;
  return isEmpty(data.Operation) && isObject(extra) ? { ...extra, ...withoutKey(data, 'AdditionalProperties') } : data;
}

function withoutKey(v: Json, key: string): Json {
  const copy = { ...v };
  delete copy[key];
  return copy;
}

/** Items of one record in any of the accepted envelopes. */
export function recordItems(value: unknown, source: SourceRef, out: ExportItem[]): void {
  if (!isObject(value)) {
    out.push(toAuditItem(value, source));
    return;
  }
  const key = 'auditData' in value ? 'auditData' : 'AuditData' in value ? 'AuditData' : undefined;
  if (key === undefined) {
    out.push(toAuditItem(value, source));
    return;
  }
  const data = innerRecord(value, key, source, out);
  if (data !== undefined)
    out.push(
      toAuditItem(
        completedRecord(value, withoutSdkWrapper(data)),
        source,
        key === 'auditData' ? graphField : undefined,
      ),
    );
}

/** What a value was: a record (undefined), or a wrapper of records that says more pages exist or not. */
export type PageKind = 'more-pages' | 'last-page' | undefined;

/**
 * Items of one parsed value (an array element or an NDJSON line): a record, or a wrapper whose records
 * all take the value's number.
 */
export function valueItems(value: unknown, source: SourceRef, out: ExportItem[]): PageKind {
  if (isObject(value)) {
    const records = wrappedRecords(value);
    if (records !== undefined) {
      for (const r of records) recordItems(r, source, out);
      return hasNextLink(value) ? 'more-pages' : 'last-page';
    }
  }
  recordItems(value, source, out);
  return undefined;
}
