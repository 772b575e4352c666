// Table entity limits enforced by our own code (Azurite does not enforce all of them): at most 252
// custom properties, strings of at most 32 K UTF-16 characters, entities of at most 1 MiB. Over-long
// strings are split over several properties or truncated, and a truncation is always recorded.
import { keyProblem, KeyError } from './keys.js';

export const MAX_CUSTOM_PROPERTIES = 252;
/** 64 KiB of UTF-16. */
export const MAX_STRING_CHARS = 32 * 1024;
export const MAX_ENTITY_BYTES = 1024 * 1024;
/** Property that lists, comma-separated, the properties whose values were cut to fit. */
export const TRUNCATED_PROPERTY = 'truncatedProperties';
/** Suffix of the property holding how many parts a split string has (`name__parts`). */
const PARTS_SUFFIX = '__parts';

/** A typed value for the SDK (`{ value, type: 'Double' }`), as @azure/data-tables accepts it. */
export interface EdmValue {
  value: unknown;
  type: 'Boolean' | 'DateTime' | 'Double' | 'Guid' | 'Int32' | 'Int64' | 'String' | 'Binary';
}
export type PropertyValue = string | number | boolean | Date | bigint | EdmValue | undefined;
export interface TableEntityShape {
  partitionKey: string;
  rowKey: string;
  [property: string]: PropertyValue;
}

export class EntityLimitError extends Error {
  override name = 'EntityLimitError';
}

const SYSTEM_PROPERTIES = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp']);

function valueBytes(value: PropertyValue): number {
  if (value === undefined) return 0;
  if (typeof value === 'string') return value.length * 2 + 4;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Date) return 8;
  if (value.type === 'String') return String(value.value).length * 2 + 4;
  if (value.type === 'Binary') return String(value.value).length; // base64 text; an over-estimate of the bytes
  if (value.type === 'Guid') return 16;
  if (value.type === 'Boolean') return 1;
  return 8;
}

/** Stored size per the service's formula: 4 + 2·|PK| + 2·|RK| + Σ (8 + 2·|name| + size of value). */
export function estimateEntityBytes(entity: TableEntityShape): number {
  let bytes = 4 + entity.partitionKey.length * 2 + entity.rowKey.length * 2;
  for (const [name, value] of Object.entries(entity)) {
    if (SYSTEM_PROPERTIES.has(name) || value === undefined) continue;
    bytes += 8 + name.length * 2 + valueBytes(value);
  }
  return bytes;
}

// eslint-disable-next-line no-control-regex -- JSON escapes control characters; this pattern counts them
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/g;

/** Upper bound of the bytes of a string as a JSON value (quotes, escapes and UTF-8 included). */
function jsonStringBytes(value: string): number {
  let bytes = Buffer.byteLength(value, 'utf8') + 2;
  const escapes = value.match(NEEDS_JSON_ESCAPE);
  if (escapes !== null) bytes += escapes.length * 5;
  return bytes;
}

/** Bytes the entity takes in a batch request body (JSON with type annotations, plus per-operation headers); never less than the real size. */
export function estimatePayloadBytes(entity: TableEntityShape): number {
  let bytes = 600; // multipart boundary, request line and headers of one operation
  for (const name in entity) {
    const value = entity[name];
    if (value === undefined) continue;
    bytes += name.length + 6;
    if (typeof value === 'string') bytes += jsonStringBytes(value);
    else if (typeof value === 'object' && !(value instanceof Date)) {
      bytes += (typeof value.value === 'string' ? jsonStringBytes(value.value) : 40) + name.length + 40;
    } else bytes += 40;
  }
  return bytes;
}

export function customPropertyCount(entity: TableEntityShape): number {
  let count = 0;
  for (const [name, value] of Object.entries(entity)) if (!SYSTEM_PROPERTIES.has(name) && value !== undefined) count++;
  return count;
}

export interface GuardOptions {
  /** String properties that are split over `name`, `name__2`, … instead of truncated when too long. */
  splittable?: readonly string[];
}

export interface GuardedEntity {
  entity: TableEntityShape;
  /** Properties whose values were cut (also listed in the entity's `truncatedProperties`). */
  truncated: string[];
  /** Properties stored in several parts. */
  split: string[];
}

/**
 * Makes `entity` fit the Table limits: splits or truncates long strings, then, while the entity is
 * over 1 MiB, truncates its longest strings. Throws KeyError for an invalid key and EntityLimitError
 * when the properties cannot fit (more than 252, or over 1 MiB without any string to cut).
 */
export function guardEntity(entity: TableEntityShape, options: GuardOptions = {}): GuardedEntity {
  for (const [which, key] of [
    ['PartitionKey', entity.partitionKey],
    ['RowKey', entity.rowKey],
  ] as const) {
    const problem = keyProblem(key);
    if (problem) throw new KeyError(`${which} ${problem}`);
  }
  // Fast path: nothing to split or cut (the common case) returns the entity itself.
  let longest = 0;
  for (const name in entity) {
    const value = entity[name];
    if (typeof value === 'string' && value.length > longest) longest = value.length;
  }
  if (longest <= MAX_STRING_CHARS && estimateEntityBytes(entity) <= MAX_ENTITY_BYTES) {
    const count = customPropertyCount(entity);
    if (count > MAX_CUSTOM_PROPERTIES)
      throw new EntityLimitError(`entity has ${count} properties; Table Storage allows ${MAX_CUSTOM_PROPERTIES}`);
    return { entity, truncated: [], split: [] };
  }
  const splittable = new Set(options.splittable ?? []);
  const strings = new Map<string, string>();
  const others: TableEntityShape = { partitionKey: entity.partitionKey, rowKey: entity.rowKey };
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || value === undefined) continue;
    if (typeof value === 'string') strings.set(name, value);
    else others[name] = value;
  }
  const truncated = new Set<string>();

  const build = (): { built: TableEntityShape; split: string[] } => {
    const built: TableEntityShape = { ...others };
    const split: string[] = [];
    for (const [name, value] of strings) {
      if (value.length <= MAX_STRING_CHARS) {
        built[name] = value;
      } else if (splittable.has(name)) {
        const parts = splitText(value, MAX_STRING_CHARS);
        parts.forEach((part, i) => {
          built[i === 0 ? name : `${name}__${i + 1}`] = part;
        });
        built[name + PARTS_SUFFIX] = parts.length;
        split.push(name);
      } else {
        built[name] = cut(value, MAX_STRING_CHARS);
        truncated.add(name);
      }
    }
    if (truncated.size > 0) built[TRUNCATED_PROPERTY] = [...truncated].sort().join(',');
    return { built, split };
  };

  let { built, split } = build();
  for (let round = 0; estimateEntityBytes(built) > MAX_ENTITY_BYTES; round++) {
    let longest: string | undefined;
    for (const [name, value] of strings) {
      if (longest === undefined || value.length > (strings.get(longest) ?? '').length) longest = name;
    }
    const current = longest === undefined ? '' : (strings.get(longest) ?? '');
    if (longest === undefined || current.length === 0 || round > 1000) {
      throw new EntityLimitError(
        `entity is ${estimateEntityBytes(built)} bytes, over the ${MAX_ENTITY_BYTES}-byte limit, with no text left to shorten`,
      );
    }
    const excessChars = Math.ceil((estimateEntityBytes(built) - MAX_ENTITY_BYTES) / 2) + 64;
    strings.set(longest, cut(current, Math.max(0, current.length - excessChars)));
    truncated.add(longest);
    ({ built, split } = build());
  }
  const count = customPropertyCount(built);
  if (count > MAX_CUSTOM_PROPERTIES) {
    throw new EntityLimitError(`entity has ${count} properties; Table Storage allows ${MAX_CUSTOM_PROPERTIES}`);
  }
  return { entity: built, truncated: [...truncated].sort(), split };
}

/** A string property as written by guardEntity, re-joined when it was split. */
export function readSplitString(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  const parts = entity[name + PARTS_SUFFIX];
  if (typeof parts !== 'number' || parts <= 1) return first;
  let text = first;
  for (let i = 2; i <= parts; i++) {
    const part = entity[`${name}__${i}`];
    if (typeof part !== 'string') break;
    text += part;
  }
  return text;
}

/** The property names listed in an entity's truncatedProperties. */
export function truncatedProperties(entity: Record<string, unknown>): string[] {
  const value = entity[TRUNCATED_PROPERTY];
  return typeof value === 'string' && value.length > 0 ? value.split(',') : [];
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The first `maxChars` characters, without a dangling high surrogate at the end. */
function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = maxChars > 0 && isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}

/** Consecutive parts of at most `maxChars`, never splitting a surrogate pair; joined they give `text`. */
function splitText(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  for (let pos = 0; pos < text.length;) {
    let end = Math.min(pos + maxChars, text.length);
    if (end < text.length && end - pos > 1 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    parts.push(text.slice(pos, end));
    pos = end;
  }
  return parts;
}
