// What erasing one person does to one stored entity or blob text: given the person's identifiers (object
// ids, UPNs, e-mails, their pseudonyms; lower case), an entity about the person is deleted, a record of
// theirs leaves a bundle, their contributions leave the per-user aggregates, and any other mention (as an
// organiser, in a ledger's rejection sample, in a location) is replaced by ERASED.
import { guardEntity, readSplitString } from './entityGuards.js';
import type { StoredEntity } from './purge.js';

/** What replaces an identifier of an erased person. */
export const ERASED = 'erased';

export class PersonMatcher {
  readonly #ids: string[];
  readonly #pattern: RegExp | undefined;

  constructor(identifiers: Iterable<string>) {
    this.#ids = [...new Set([...identifiers].map((i) => i.trim().toLowerCase()).filter((i) => i.length >= 3))];
    this.#pattern =
      this.#ids.length === 0
        ? undefined
        : new RegExp(
            this.#ids
              .sort((a, b) => b.length - a.length)
              .map((i) => i.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('|'),
            'gi',
          );
  }

  get identifiers(): readonly string[] {
    return this.#ids;
  }

  /** True when `value` is one of the identifiers (any letter case). */
  is(value: unknown): boolean {
    return typeof value === 'string' && this.#ids.includes(value.trim().toLowerCase());
  }

  /** True when `text` contains an identifier. */
  mentions(text: string): boolean {
    if (this.#pattern === undefined) return false;
    this.#pattern.lastIndex = 0;
    return this.#pattern.test(text);
  }

  /** `text` with every identifier replaced by ERASED. */
  redact(text: string): string {
    return this.#pattern === undefined ? text : text.replace(this.#pattern, ERASED);
  }
}

export type ScrubAction =
  | { kind: 'keep' }
  | { kind: 'delete' }
  /** Properties to merge into the entity (the others stay). */
  | { kind: 'merge'; properties: Record<string, unknown> & { partitionKey: string; rowKey: string } };

const PART = /^(.*)__(\d+|parts)$/;

/** Every mention in the entity's string properties replaced (split strings joined first, then split again). */
export function redactEntity(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  if (person.mentions(entity.partitionKey) || person.mentions(entity.rowKey)) return { kind: 'delete' };
  let properties: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: entity.partitionKey,
    rowKey: entity.rowKey,
  };
  let changed = false;
  for (const name of Object.keys(entity)) {
    if (
      name === 'partitionKey' ||
      name === 'rowKey' ||
      name === 'etag' ||
      name === 'timestamp' ||
      name.startsWith('odata.')
    )
      continue;
    const part = PART.exec(name);
    if (part !== null && typeof entity[`${part[1]}__parts`] === 'number') continue; // read with its first part
    const text = readSplitString(entity, name);
    if (text === undefined || !person.mentions(text)) continue;
    changed = true;
    const guarded = guardEntity(
      { partitionKey: entity.partitionKey, rowKey: entity.rowKey, [name]: person.redact(text) },
      { splittable: [name] },
    ).entity;
    properties = { ...properties, ...guarded };
  }
  return changed ? { kind: 'merge', properties } : { kind: 'keep' };
}

/** A session entity: deleted when the person attended, else redacted (the person organised the meeting). */
export function scrubSession(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  if (person.is(entity['attUserObjectId']) || person.is(entity['attUpn']) || person.is(entity['attUpnLower']))
    return { kind: 'delete' };
  return redactEntity(entity, person);
}

/** A session bundle: the person's sessions leave it (deleted when none is left), the rest is redacted. */
export function scrubBundle(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  return withoutPersonsItems<Record<string, unknown>>(
    entity,
    person,
    'sessions',
    (s) => person.is(s['attUserObjectId']) || person.is(s['attUpn']),
  );
}

/**
 * A row holding a JSON list in `field` (split over properties when long): the person's items leave it, the rest is
 * redacted; deleted when none is left, kept as it is when the list does not mention the person.
 */
function withoutPersonsItems<T>(
  entity: StoredEntity,
  person: PersonMatcher,
  field: string,
  isPersons: (item: T) => boolean,
): ScrubAction {
  const text = readSplitString(entity, field) ?? '[]';
  if (!person.mentions(text)) return { kind: 'keep' };
  const kept = (JSON.parse(text) as T[]).filter((item) => !isPersons(item));
  if (kept.length === 0) return { kind: 'delete' };
  const guarded = guardEntity(
    {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      count: kept.length,
      [field]: person.redact(JSON.stringify(kept)),
    },
    { splittable: [field] },
  ).entity;
  return { kind: 'merge', properties: guarded };
}

/** A disconnection: deleted when it is the person's, else redacted. */
export function scrubDisconnection(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  if (person.is(entity['participantKeyLower']) || person.is(entity['upnLower'])) return { kind: 'delete' };
  return redactEntity(entity, person);
}

/** A per-user aggregate row: the person's contributions leave it (deleted when none is left). */
export function scrubAggregate(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  if (entity['dimension'] !== 'user') return redactEntity(entity, person);
  return withoutPersonsItems<[string, ...number[]]>(entity, person, 'contributions', ([key]) => person.is(key));
}

/** A users row: deleted when it is the person's (by id or any e-mail), else kept. */
export function scrubUser(entity: StoredEntity, person: PersonMatcher): ScrubAction {
  const fields = ['uuid', 'organizerEmail', 'attendeeEmail', 'graphUpn', 'graphMail'];
  if (fields.some((f) => person.is(entity[f])) || person.is(entity.rowKey)) return { kind: 'delete' };
  return redactEntity(entity, person);
}

/** A text blob (users file, rejects): lines of the users file naming the person dropped, mentions elsewhere redacted. */
export function scrubText(text: string, person: PersonMatcher, lineBased: boolean): string {
  if (!person.mentions(text)) return text;
  if (!lineBased) return person.redact(text);
  return text
    .split('\n')
    .filter((line) => !person.mentions(line))
    .join('\n');
}
