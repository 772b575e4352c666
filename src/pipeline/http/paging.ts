// Paging of the report API: opaque continuation tokens (base64url of the Table continuation, the
// position inside that page, and the route and filter they belong to, so a token cannot be replayed
// on another query), and a pager that reads Table pages and filters them.
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { listPage } from '../../storage/tableEntities.js';
import { badParameter } from './types.js';

/** Where the next page starts. */
export interface PageState {
  /** The Table continuation of the page holding the next item (absent: the first page). */
  table?: string;
  /** Items of that page already returned. */
  skip: number;
  /** The Table page size the position refers to. */
  pageSize: number;
  /** Offset into an in-memory list (rankings, users). */
  offset?: number;
}

interface TokenBody {
  v: 1;
  r: string;
  q: string;
  t?: string;
  s: number;
  n: number;
  o?: number;
}

function fingerprint(route: string, filter: string): string {
  return createHash('sha256').update(`${route}\n${filter}`).digest('base64url').slice(0, 16);
}

export function encodeToken(route: string, filter: string, state: PageState): string {
  const body: TokenBody = { v: 1, r: route, q: fingerprint(route, filter), s: state.skip, n: state.pageSize };
  if (state.table !== undefined) body.t = state.table;
  if (state.offset !== undefined) body.o = state.offset;
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const INVALID = 'the continuation token is not one this report issued for these parameters; repeat the query without it';

/** The state in a token; 400 (naming continuationToken) when it is malformed or was issued for another query. */
export function decodeToken(token: string, route: string, filter: string): PageState {
  if (!/^[A-Za-z0-9_-]{1,8000}$/.test(token)) throw badParameter('continuationToken', INVALID, 'InvalidContinuationToken');
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw badParameter('continuationToken', INVALID, 'InvalidContinuationToken');
  }
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1e9;
  if (
    body === null || typeof body !== 'object' || body.v !== 1 || body.r !== route || body.q !== fingerprint(route, filter) ||
    !isCount(body.s) || !isCount(body.n) || body.n < 1 || (body.t !== undefined && typeof body.t !== 'string') ||
    (body.o !== undefined && !isCount(body.o))
  ) {
    throw badParameter('continuationToken', INVALID, 'InvalidContinuationToken');
  }
  const state: PageState = { skip: body.s, pageSize: body.n };
  if (body.t !== undefined) state.table = body.t;
  if (body.o !== undefined) state.offset = body.o;
  return state;
}

export interface ScanOptions<T> {
  client: TableClient;
  filter?: string;
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
    const query: { filter?: string; select?: string[]; limit: number; continuationToken?: string } = { limit: pageSize };
    if (options.filter !== undefined) query.filter = options.filter;
    if (options.select !== undefined) query.select = options.select;
    if (token !== undefined) query.continuationToken = token;
    const page = await listPage(options.client, query);
    for (let i = skip; i < page.items.length; i++) {
      examined++;
      const item = options.decode(page.items[i]!);
      if (item !== undefined) items.push(item);
      if (items.length >= options.limit) {
        if (i + 1 < page.items.length) return { items, next: withTable({ skip: i + 1, pageSize }, token) };
        return page.continuationToken === undefined ? { items } : { items, next: { table: page.continuationToken, skip: 0, pageSize } };
      }
    }
    if (page.continuationToken === undefined) return { items };
    token = page.continuationToken;
    skip = 0;
    if (examined >= maxExamined) return { items, next: { table: token, skip: 0, pageSize } };
  }
}

function withTable(state: PageState, table: string | undefined): PageState {
  if (table !== undefined) state.table = table;
  return state;
}

/** A page of an in-memory list. */
export function pageOfList<T>(all: readonly T[], limit: number, state: PageState | undefined): { items: T[]; next?: PageState } {
  const offset = state?.offset ?? 0;
  const items = all.slice(offset, offset + limit);
  return offset + limit < all.length ? { items, next: { skip: 0, pageSize: limit, offset: offset + limit } } : { items };
}
