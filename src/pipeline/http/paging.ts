// Paging of the report API: opaque continuation tokens, and a pager that reads Table pages and filters
// them. A token is base64url JSON (the Table continuation, the position inside that page, an offset into
// an in-memory list) and an HMAC-SHA-256 over it, the route and the filter, with the account's key
// (src/storage/tokenKeyTable.ts): a token cannot be forged, altered or replayed on another query.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { TableQuery } from '../../storage/odata.js';
import type { listPage } from '../../storage/tableEntities.js';
import { sharedPage } from './sharedReads.js';
import { MAX_LIMIT } from './params.js';
import { ApiError, badParameter } from './types.js';

/** Where the next page starts. */
export interface PageState {
  /** The Table continuation of the page holding the next item (absent: the first page). */
  table?: string;
  /** Items of that page already returned. */
  skip: number;
  /** The Table page size the position refers to. */
  pageSize: number;
  /** Offset into an in-memory list (rankings, users) or a meeting's disconnections. */
  offset?: number;
  /** A meeting's sessions: all listed (the offset still goes on for its disconnections). */
  done?: true;
  /** A meeting's sessions: read whole and paged by `offset` (not by a Table scan). */
  whole?: true;
}

interface TokenBody {
  v: 2;
  t?: string;
  s: number;
  n: number;
  o?: number;
  d?: 1;
  w?: 1;
}

/** Bounds of what a token may carry (its signature already proves this API wrote it). */
const MAX_OFFSET = 10_000_000;
const MAX_TABLE_TOKEN = 4000;
const SIGNATURE_CHARS = 43; // 32 bytes in base64url

function signature(key: Buffer, route: string, filter: string, body: string): string {
  return createHmac('sha256', key).update(`${route}\n${filter}\n${body}`).digest('base64url');
}

export function encodeToken(key: Buffer, route: string, filter: string, state: PageState): string {
  const body: TokenBody = { v: 2, s: state.skip, n: state.pageSize };
  if (state.table !== undefined) body.t = state.table;
  if (state.offset !== undefined) body.o = state.offset;
  if (state.done === true) body.d = 1;
  if (state.whole === true) body.w = 1;
  const text = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${text}.${signature(key, route, filter, text)}`;
}

const INVALID =
  'the continuation token is not one this report issued for these parameters; repeat the query without it';

export function invalidToken(): ApiError {
  return badParameter('continuationToken', INVALID, 'InvalidContinuationToken');
}

/** The Azure Tables SDK's continuation: base64 of JSON with the next partition key and, optionally, row key. */
function isTableContinuation(token: string): boolean {
  if (token.length > MAX_TABLE_TOKEN || !/^[A-Za-z0-9+/=_-]+$/.test(token)) return false;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const { nextPartitionKey, nextRowKey } = value as Record<string, unknown>;
    return typeof nextPartitionKey === 'string' && (nextRowKey === undefined || typeof nextRowKey === 'string');
  } catch {
    return false;
  }
}

/** The state in a token; 400 (naming continuationToken) when it is malformed, altered or was issued for another query. */
export function decodeToken(key: Buffer, token: string, route: string, filter: string): PageState {
  const match = /^([A-Za-z0-9_-]{1,8000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) throw invalidToken();
  const [, text, mac] = match as unknown as [string, string, string];
  const expected = Buffer.from(signature(key, route, filter, text), 'utf8');
  if (mac.length !== SIGNATURE_CHARS || !timingSafeEqual(Buffer.from(mac, 'utf8'), expected)) throw invalidToken();
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw invalidToken();
  }
  const isCount = (n: unknown, max: number): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
  if (
    body === null ||
    typeof body !== 'object' ||
    body.v !== 2 ||
    !isCount(body.n, MAX_LIMIT) ||
    body.n < 1 ||
    !isCount(body.s, body.n - 1) ||
    (body.t !== undefined && (typeof body.t !== 'string' || !isTableContinuation(body.t))) ||
    (body.o !== undefined && !isCount(body.o, MAX_OFFSET)) ||
    (body.d !== undefined && body.d !== 1) ||
    (body.w !== undefined && body.w !== 1)
  ) {
    throw invalidToken();
  }
  const state: PageState = { skip: body.s, pageSize: body.n };
  if (body.t !== undefined) state.table = body.t;
  if (body.o !== undefined) state.offset = body.o;
  if (body.d === 1) state.done = true;
  if (body.w === 1) state.whole = true;
  return state;
}

export interface ScanOptions<T> {
  /** The table and filter, as the table module builds them. */
  query: TableQuery;
  select?: string[];
  limit: number;
  state?: PageState;
  /** Table page size when starting (kept in the token afterwards). */
  pageSize: number;
  /** The item for an entity, or undefined when a client-side filter drops it. */
  decode: (entity: Record<string, unknown> & { partitionKey: string; rowKey: string }) => T | undefined;
  /** Stop after examining this many entities even if the page is not full (the token continues the scan). */
  maxExamined?: number;
}

/** Up to `limit` items and the state for the next page (undefined when the scan is complete). */
export async function scanTable<T>(options: ScanOptions<T>): Promise<{ items: T[]; next?: PageState }> {
  const pageSize = options.state?.pageSize ?? options.pageSize;
  let token = options.state?.table;
  let skip = options.state?.skip ?? 0;
  const maxExamined = options.maxExamined ?? Math.max(5000, options.limit * 10);
  const items: T[] = [];
  let examined = 0;
  for (;;) {
    const query: { filter?: string; select?: string[]; limit: number; continuationToken?: string } = {
      limit: pageSize,
    };
    if (options.query.filter !== undefined) query.filter = options.query.filter;
    if (options.select !== undefined) query.select = options.select;
    if (token !== undefined) query.continuationToken = token;
    const page = await readPage(options.query.table, query, token !== undefined && token === options.state?.table);
    for (let i = skip; i < page.items.length; i++) {
      examined++;
      const item = options.decode(page.items[i]!);
      if (item !== undefined) items.push(item);
      if (items.length >= options.limit) {
        if (i + 1 < page.items.length) return { items, next: withTable({ skip: i + 1, pageSize }, token) };
        return page.continuationToken === undefined
          ? { items }
          : { items, next: { table: page.continuationToken, skip: 0, pageSize } };
      }
    }
    if (page.continuationToken === undefined) return { items };
    token = page.continuationToken;
    skip = 0;
    if (examined >= maxExamined) return { items, next: { table: token, skip: 0, pageSize } };
  }
}

/** A Table page; when the continuation came from the caller's token, the service refusing it is a 400. */
async function readPage(
  client: TableClient,
  query: { filter?: string; select?: string[]; limit: number; continuationToken?: string },
  fromCaller: boolean,
): ReturnType<typeof listPage> {
  try {
    return await sharedPage(client, query);
  } catch (error) {
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    if (fromCaller && (status === 400 || error instanceof SyntaxError)) throw invalidToken();
    throw error;
  }
}

function withTable(state: PageState, table: string | undefined): PageState {
  if (table !== undefined) state.table = table;
  return state;
}

/** A page of an in-memory list. */
export function pageOfList<T>(
  all: readonly T[],
  limit: number,
  state: PageState | undefined,
): { items: T[]; next?: PageState } {
  const offset = state?.offset ?? 0;
  const items = all.slice(offset, offset + limit);
  return offset + limit < all.length
    ? { items, next: { skip: 0, pageSize: limit, offset: offset + limit } }
    : { items };
}
