// Small helpers shared by the table modules: typed numbers, reading typed properties back, OData
// number literals, point reads and reading every entity of a query.
import type { GetTableEntityResponse, TableClient, TableEntityResult } from '@azure/data-tables';
import type { EdmValue } from './entityGuards.js';

/** A number stored as Edm.Double (epoch milliseconds do not fit Int32; Double keeps them as numbers). */
export function double(value: number | undefined): EdmValue | undefined {
  return value === undefined || !Number.isFinite(value) ? undefined : { value, type: 'Double' };
}

/** An OData literal for a Double comparison (always with a decimal point, so the service types it as Double). */
export function doubleLiteral(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** Quotes a string for an OData filter (single quotes doubled). */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function str(entity: Record<string, unknown>, name: string): string {
  const value = entity[name];
  return typeof value === 'string' ? value : '';
}

export function optStr(entity: Record<string, unknown>, name: string): string | undefined {
  const value = entity[name];
  return typeof value === 'string' ? value : undefined;
}

/** A number property, whether it comes back as a number, a bigint (Int64) or a typed `{ value, type }`. */
export function num(entity: Record<string, unknown>, name: string): number | undefined {
  let value = entity[name];
  if (value !== null && typeof value === 'object' && 'value' in value) value = value.value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** The latest finite value of the given number properties, or undefined when none has one. */
export function latestOf(entity: Record<string, unknown>, names: readonly string[]): number | undefined {
  let latest: number | undefined;
  for (const name of names) {
    const v = num(entity, name);
    if (v !== undefined && Number.isFinite(v) && (latest === undefined || v > latest)) latest = v;
  }
  return latest;
}

/** Sets `target[name]` to the entity's string property of that name when it has one (else leaves it absent). */
export function setOptStr<K extends string>(
  target: Partial<Record<K, string>>,
  entity: Record<string, unknown>,
  name: K,
): void {
  const value = optStr(entity, name);
  if (value !== undefined) target[name] = value;
}

export function bool(entity: Record<string, unknown>, name: string): boolean | undefined {
  const value = entity[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** Every entity matching `filter` (all pages). */
export async function listAll(
  client: TableClient,
  filter: string | undefined,
  select?: string[],
): Promise<Array<Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string }>> {
  const out: Array<Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string }> = [];
  const queryOptions: { filter?: string; select?: string[] } = {};
  if (filter !== undefined) queryOptions.filter = filter;
  if (select !== undefined) queryOptions.select = select;
  for await (const page of client
    .listEntities<Record<string, unknown>>({ queryOptions })
    .byPage({ maxPageSize: 1000 })) {
    for (const entity of page) {
      out.push(entity as Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string });
    }
  }
  return out;
}

export interface TablePage<T> {
  items: T[];
  /** The SDK's continuation token for the next page, if any. */
  continuationToken?: string;
}

/** One page of at most `limit` entities matching `filter`, from `continuationToken`. */
export async function listPage(
  client: TableClient,
  options: { filter?: string; select?: string[]; limit: number; continuationToken?: string },
): Promise<TablePage<Record<string, unknown> & { partitionKey: string; rowKey: string }>> {
  const queryOptions: { filter?: string; select?: string[] } = {};
  if (options.filter !== undefined) queryOptions.filter = options.filter;
  if (options.select !== undefined) queryOptions.select = options.select;
  const settings: { maxPageSize: number; continuationToken?: string } = { maxPageSize: options.limit };
  if (options.continuationToken !== undefined) settings.continuationToken = options.continuationToken;
  const iterator = client.listEntities<Record<string, unknown>>({ queryOptions }).byPage(settings);
  const result = await iterator.next();
  if (result.done || !result.value) return { items: [] };
  const page = result.value;
  const items = [...page] as Array<Record<string, unknown> & { partitionKey: string; rowKey: string }>;
  return page.continuationToken ? { items, continuationToken: page.continuationToken } : { items };
}

/** The entity with these keys, by a point read, or undefined when there is none. */
export async function getEntityIfExists(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<GetTableEntityResponse<TableEntityResult<Record<string, unknown>>> | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** True when `error` is a 404 from the service. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: unknown } | null)?.statusCode === 404;
}

/** True when `error` is a 412 (ETag condition failed) from the service. */
export function isPreconditionFailed(error: unknown): boolean {
  return (error as { statusCode?: unknown } | null)?.statusCode === 412;
}
