// Test helper: the JSON body of an HTTP answer typed as the test names it. JSON.parse checks the syntax and
// the content type is asserted; the shape is what the test's own assertions check, field by field.
import assert from 'node:assert/strict';
import type { ApiErrorCode, ReportResponse } from '../../src/pipeline/http/types.js';

/** An answer with its headers and text body: the report API's ReportResponse, or a handler's answer read as text. */
export interface TextAnswer {
  headers: Record<string, string>;
  body: string;
}

/** The body of a JSON answer (its content type is application/json), as the type T. */
export function jsonBody<T>(answer: TextAnswer): T {
  assert.match(
    answer.headers['content-type'] ?? '',
    /^application\/json\b/,
    `not a JSON answer: ${answer.body.slice(0, 200)}`,
  );
  return parseJson<T>(answer.body);
}

/** JSON text (or a UTF-8 buffer of it) read as the type T. */
export function parseJson<T>(text: string | Buffer): T {
  const value: unknown = JSON.parse(text.toString());
  return value as T;
}

/** A fetch Response's JSON body, as the type T. */
export async function responseJson<T>(res: Response): Promise<T> {
  const value: unknown = await res.json();
  return value as T;
}

/** A report API answer with its JSON body as T. */
export type JsonAnswer<T> = ReportResponse & { readonly json: T };

/** The answer with its JSON body as `json`, parsed when first read (reading it asserts the answer is JSON). */
export function withJson<T>(answer: ReportResponse): JsonAnswer<T> {
  let parsed: { value: T } | undefined;
  return {
    ...answer,
    get json(): T {
      parsed ??= { value: jsonBody<T>(answer) };
      return parsed.value;
    },
  };
}

/** A part of a body the test expects to be there (its type says it may be absent). */
export function present<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== undefined && value !== null, `${what} is missing`);
  return value;
}

/** The report API's error body: a stable code, a message a person can act on, the parameter at fault. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; parameter?: string };
}

/** A page of a JSON listing: its rows and the token of the next page (null on the last). */
export interface PageBody<T> {
  items: T[];
  continuationToken: string | null;
}
