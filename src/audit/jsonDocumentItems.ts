// What the JSON document scanner (jsonDocument.ts) makes of the pieces it cuts out: the items of an
// array element, the next-page link of a wrapper, and the rejections of incomplete or unreadable records.
import { describeJsonError, rejected } from './auditData.js';
import { MAX_JSON_RECORD_BYTES, itemsFromText } from './jsonExport.js';
import { hasNextLink, isRecordLike, unknownObjectShape, wrappedRecords } from './jsonRecords.js';
import type { ExportItem } from './records.js';
import { NEWLINE } from './jsonBytes.js';

const MiB = `${MAX_JSON_RECORD_BYTES / 1024 / 1024} MiB`;

/** Whether a record's text starts with a line holding only "{" (how pretty-printers write it). */
export function startsPretty(text: Buffer): boolean {
  const nl = text.indexOf(NEWLINE);
  return nl >= 0 && text.toString('latin1', 0, nl).trim() === '{';
}

/**
 * The items of element `element` of an array of records; the first element's shape is checked (an object
 * that is neither a record nor a wrapper stops the read).
 */
export function arrayElementItems(
  file: string,
  text: string,
  element: number,
  place: 'wrapper' | 'array',
  out: ExportItem[],
): void {
  const source = { file, line: element };
  if (element === 1) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const v = data as Record<string, unknown>;
      if (!isRecordLike(v) && wrappedRecords(v) === undefined) throw unknownObjectShape(file, v, place);
    }
  }
  itemsFromText(() => text, source, `record ${source.line} of the array of records`, out);
}

/** Whether a wrapper object (its records left out) links a next page. */
export function wrapperLinksNextPage(text: Buffer): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text.toString('utf8'));
  } catch {
    v = undefined;
  }
  return typeof v === 'object' && v !== null && hasNextLink(v as Record<string, unknown>);
}

export function incompleteElement(file: string, element: number): ExportItem {
  return rejected({ file, line: element }, 'AuditData', 'the file ends inside this record, so it is incomplete');
}

export function incompleteObject(file: string, line: number): ExportItem {
  return rejected(
    { file, line },
    'AuditData',
    `the file ends inside the record that starts on line ${line}, so it is incomplete`,
  );
}

export function unreadableObject(file: string, line: number, error: unknown, textLength: number): ExportItem {
  return rejected(
    { file, line },
    'AuditData',
    `the record that starts on line ${line} cannot be read: ${describeJsonError(error, textLength)}`,
  );
}

export function emptyArrayElement(file: string, element: number): ExportItem {
  return rejected(
    { file, line: element },
    'AuditData',
    'empty element in the array of records (two commas in a row, or a comma before "]")',
  );
}

export function textAfterEnd(file: string, line: number): ExportItem {
  return rejected(
    { file, line },
    'AuditData',
    'unexpected text after the end of a JSON value; the rest of the file was ignored',
  );
}

export function oversizedElement(file: string, element: number): ExportItem {
  return rejected(
    { file, line: element },
    'AuditData',
    `this record is larger than ${MiB}, which means the JSON structure is broken ` +
      '(an unclosed string or bracket); reading stopped here',
  );
}

export function oversizedObject(file: string, line: number): ExportItem {
  return rejected(
    { file, line },
    'AuditData',
    `the object that starts on line ${line} is larger than ${MiB} ` +
      'without its records, which means the JSON structure is broken (an unclosed string or bracket); reading stopped here',
  );
}
