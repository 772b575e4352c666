// Rewrites one export without one person's records (erasure, docs/privacy.md): a session record of the person
// as attendee is removed; any other record naming the person (as the meeting's organiser, in a MeetingDetail
// record or a join link, in a row of another operation) keeps its place with each identifier replaced by
// `erased`, as the tables are. Every other byte stays as it was: the BOM, a `#TYPE` line, the CSV header,
// separator and quoting, the other rows and JSON elements. CSV, JSON arrays and NDJSON are rewritten; other
// forms (zip, UTF-16, pretty-printed or wrapped JSON) are refused with the reason; a gzip-compressed export is
// rewritten inside and compressed again. The result is read
// back before it is returned: if it does not hold exactly the records expected, the rewrite is refused.
import { gunzipSync, gzipSync } from 'node:zlib';
import { ARCHIVE_LIMITS } from './archive.js';
import { ExportReadError } from './exportReadError.js';
import { readExport } from './readExport.js';
import type { ExportFormat, ExportItem } from './records.js';
import { csvRecordSpans, jsonArrayElements, lineSpans, type Span } from './exportSpans.js';
import type { PersonPattern } from './personPattern.js';

export type ExportRewrite =
  /** The export does not name the person. */
  | { kind: 'unchanged' }
  | {
      kind: 'rewritten';
      content: Buffer;
      format: ExportFormat;
      /** Set when the export was gzip-compressed (the content is compressed again). */
      compression?: 'gzip';
      recordsRemoved: number;
      recordsRedacted: number;
    }
  /** The export names the person (or could not be searched) and is left as it was: `reason` says why. */
  | { kind: 'refused'; reason: string };

interface Tally {
  format: ExportFormat;
  records: number;
  others: number;
}

// eslint-disable-next-line @typescript-eslint/require-await -- async only to be the AsyncIterable readExport takes
async function* once(content: Buffer): AsyncGenerator<Buffer> {
  yield content;
}

async function itemsOf(content: Buffer, file: string): Promise<{ items: ExportItem[]; format: ExportFormat }> {
  const stream = readExport(once(content), { file });
  const items: ExportItem[] = [];
  for await (const item of stream) items.push(item);
  return { items, format: stream.info().format };
}

async function tally(content: Buffer, file: string): Promise<Tally> {
  const stream = readExport(once(content), { file });
  let records = 0;
  let others = 0;
  for await (const item of stream) {
    if (item.type === 'record') records++;
    else others++;
  }
  return { format: stream.info().format, records, others };
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isGzip(content: Buffer): boolean {
  return content[0] === 0x1f && content[1] === 0x8b;
}

/** The content of a gzip-compressed export, within the limit read into memory; a reason when it cannot be had. */
function gunzipped(content: Buffer): Buffer | string {
  const limit = ARCHIVE_LIMITS.bufferedZipBytes;
  let inner: Buffer;
  try {
    inner = gunzipSync(content, { maxOutputLength: limit });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      return `not searched: it expands to more than ${limit / 1024 / 1024} MiB, more than is rewritten in memory`;
    return `not searched: its gzip data cannot be decompressed (${error instanceof Error ? error.message : String(error)})`;
  }
  if (inner.length > ARCHIVE_LIMITS.ratioFromBytes && inner.length > content.length * ARCHIVE_LIMITS.ratio)
    return `not searched: it expands more than ${ARCHIVE_LIMITS.ratio} times (a zip bomb?)`;
  if (isGzip(inner) || unsupportedEncoding(inner) !== undefined)
    return 'not searched: it holds a compressed or UTF-16 file inside: withdraw it, or upload its export again';
  return inner;
}

/** Why a file is not rewritten, from its first bytes; undefined when it may be. */
function unsupportedEncoding(content: Buffer): string | undefined {
  if (content[0] === 0x50 && content[1] === 0x4b)
    return 'zip archives are not rewritten: withdraw it, or upload its exports again without the person';
  if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff))
    return 'UTF-16 exports are not rewritten: withdraw it, or upload it again as UTF-8';
  return undefined;
}

/** What becomes of a record naming the person: removed, or kept with the identifiers replaced. */
type Verdict = { verdict: 'drop' | 'redact' } | { refused: string };

interface Layout {
  /** Bytes kept before the first record (BOM, `#TYPE` line, header, `[`). */
  head: Span;
  records: Span[];
  /** Prepended and appended to one record to read it alone. */
  wrap: (record: Buffer) => Buffer;
  joinJson: boolean;
}

function layoutOf(content: Buffer, format: ExportFormat, from: number): Layout | string {
  if (format === 'csv') {
    const spans = csvRecordSpans(content, from);
    if (spans === undefined) return 'its CSV has a quoted field that is never closed';
    let first = 0;
    if (content.toString('latin1', spans[0]?.start ?? 0, (spans[0]?.start ?? 0) + 5) === '#TYPE') first = 1;
    const header = spans[first];
    if (header === undefined) return 'it has no CSV header';
    const headBytes = content.subarray(spans[0]!.start, header.end);
    return {
      head: { start: 0, end: header.end },
      records: spans.slice(first + 1),
      wrap: (record) => Buffer.concat([headBytes, record]),
      joinJson: false,
    };
  }
  if (format === 'ndjson') {
    return { head: { start: 0, end: from }, records: lineSpans(content, from), wrap: (r) => r, joinJson: false };
  }
  if (format === 'json-array') {
    const array = jsonArrayElements(content, from);
    if (array === undefined) return 'its JSON array could not be followed';
    for (let i = array.close; i < content.length; i++)
      if (!isSpace(content[i])) return 'it holds more than one JSON array';
    const first = array.elements[0]?.start ?? array.close - 1;
    return {
      head: { start: 0, end: first },
      records: array.elements,
      wrap: (r) => Buffer.concat([Buffer.from('['), r, Buffer.from(']')]),
      joinJson: true,
    };
  }
  return `${format} exports (JSON objects over several lines, or records inside wrapper objects) are not rewritten: withdraw it, or upload it again as NDJSON or a JSON array without the person`;
}

async function verdictOf(record: Buffer, layout: Layout, file: string, person: PersonPattern): Promise<Verdict> {
  let items: ExportItem[];
  try {
    ({ items } = await itemsOf(layout.wrap(record), file));
  } catch (error) {
    if (error instanceof ExportReadError)
      return { refused: `a record naming the person cannot be read alone (${error.reason})` };
    throw error;
  }
  if (items.length !== 1)
    return { refused: `a record naming the person reads as ${items.length} records (a wrapper or an odd row)` };
  const item = items[0]!;
  if (item.type === 'record' && item.record.kind === 'session') {
    const { attendee } = item.record;
    if (person.is(attendee.userObjectId) || person.is(attendee.upn)) return { verdict: 'drop' };
  }
  return { verdict: 'redact' };
}

function assemble(content: Buffer, layout: Layout, bodies: Array<Buffer | undefined>): Buffer {
  const parts: Buffer[] = [content.subarray(layout.head.start, layout.head.end)];
  const { records } = layout;
  let previous = -1;
  for (let i = 0; i < records.length; i++) {
    const body = bodies[i];
    if (body === undefined) continue;
    // Between JSON elements: the separator that followed the previous kept element (comma and layout).
    if (layout.joinJson && previous >= 0)
      parts.push(content.subarray(records[previous]!.end, records[previous + 1]!.start));
    parts.push(body);
    previous = i;
  }
  const last = records[records.length - 1];
  parts.push(content.subarray(last === undefined ? layout.head.end : last.end));
  return Buffer.concat(parts);
}

/** `content` (one export named `file`) without the person's records, or why it is not rewritten. */
export async function rewriteExportWithout(
  content: Buffer,
  file: string,
  person: PersonPattern,
): Promise<ExportRewrite> {
  if (isGzip(content)) {
    const inner = gunzipped(content);
    if (typeof inner === 'string') return { kind: 'refused', reason: inner };
    const outcome = await rewriteExportWithout(inner, file, person);
    return outcome.kind === 'rewritten'
      ? { ...outcome, content: gzipSync(outcome.content), compression: 'gzip' }
      : outcome;
  }
  const encoding = unsupportedEncoding(content);
  if (encoding !== undefined) return { kind: 'refused', reason: `not searched: ${encoding}` };
  if (!person.mentions(content.toString('utf8'))) return { kind: 'unchanged' };
  let before: Tally;
  try {
    before = await tally(content, file);
  } catch (error) {
    if (error instanceof ExportReadError)
      return { kind: 'refused', reason: `it cannot be read as an export (${error.reason})` };
    throw error;
  }
  let from = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  while (isSpace(content[from])) from++;
  const layout = layoutOf(content, before.format, from);
  if (typeof layout === 'string') return { kind: 'refused', reason: layout };

  const bodies: Array<Buffer | undefined> = [];
  let recordsRemoved = 0;
  let recordsRedacted = 0;
  for (const span of layout.records) {
    const record = content.subarray(span.start, span.end);
    const text = record.toString('utf8');
    if (!person.mentions(text)) {
      bodies.push(record);
      continue;
    }
    const verdict = await verdictOf(record, layout, file, person);
    if ('refused' in verdict) return { kind: 'refused', reason: verdict.refused };
    if (verdict.verdict === 'drop') {
      bodies.push(undefined);
      recordsRemoved++;
    } else {
      bodies.push(Buffer.from(person.redact(text), 'utf8'));
      recordsRedacted++;
    }
  }
  if (recordsRemoved === before.records && before.others === 0)
    return {
      kind: 'refused',
      reason:
        "every record in it is the person's, so nothing would be left: withdraw it (DELETE /api/uploads/{name}) instead",
    };
  const rewritten = assemble(content, layout, bodies);
  if (person.mentions(rewritten.toString('utf8')))
    return { kind: 'refused', reason: 'it names the person outside its records (in its header or between records)' };

  // Read back: the same form, the person's records gone, every other row still there.
  let after: Tally | undefined;
  try {
    after = await tally(rewritten, file);
  } catch (error) {
    if (!(error instanceof ExportReadError)) throw error;
  }
  if (
    after === undefined ||
    after.format !== before.format ||
    after.records + recordsRemoved !== before.records ||
    after.others !== before.others
  ) {
    return {
      kind: 'refused',
      reason:
        'the rewritten file did not read back with the expected records ' +
        `(before: ${before.records} records and ${before.others} other rows; ${recordsRemoved} to remove; ` +
        `after: ${after === undefined ? 'unreadable' : `${after.records} records and ${after.others} other rows`})`,
    };
  }
  return { kind: 'rewritten', content: rewritten, format: before.format, recordsRemoved, recordsRedacted };
}

/**
 * The identifiers the export's records link to the person: an attendee's UPN and object id, an organiser's UPN and
 * id, when one of the pair is the person's. In pseudonymised mode the tables hold only pseudonyms, so the export
 * is where an object id given with its UPN (or the reverse) is learned.
 */
export async function linkedIdentifiers(content: Buffer, file: string, person: PersonPattern): Promise<string[]> {
  if (isGzip(content)) {
    const inner = gunzipped(content);
    return typeof inner === 'string' ? [] : linkedIdentifiers(inner, file, person);
  }
  if (unsupportedEncoding(content) !== undefined || !person.mentions(content.toString('utf8'))) return [];
  const found = new Set<string>();
  const link = (a: string | undefined, b: string | undefined) => {
    if (person.is(a) || person.is(b))
      for (const v of [a, b]) if (v !== undefined && v.trim() !== '') found.add(v.trim().toLowerCase());
  };
  try {
    for await (const item of readExport(once(content), { file })) {
      if (item.type !== 'record') continue;
      const r = item.record;
      link(r.organizerUpn, r.organizerId);
      if (r.kind === 'session') link(r.attendee.upn, r.attendee.userObjectId);
    }
  } catch (error) {
    if (!(error instanceof ExportReadError)) throw error;
  }
  return [...found];
}
