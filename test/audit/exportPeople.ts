// Test helper for erasure from exports: a person of a generated export (read with the real reader) who attends
// meetings and organises at least one, and a check that a text names none of their identifiers.
import { readExport } from '../../src/audit/readExport.js';

export interface ExportPerson {
  oid: string;
  upn: string;
  /** Their session records as attendee. */
  sessions: number;
  organises: boolean;
}

/** The attendee with the most sessions among those who also organise (else the one with the most sessions). */
export async function pickPerson(content: Buffer, file = 'export'): Promise<ExportPerson> {
  const people = new Map<string, ExportPerson>();
  const organisers = new Set<string>();
  for await (const item of readExport(
    (async function* () {
      yield content;
    })(),
    { file },
  )) {
    if (item.type !== 'record') continue;
    organisers.add(item.record.organizerId.toLowerCase());
    if (item.record.kind !== 'session') continue;
    const { userObjectId, upn } = item.record.attendee;
    if (!userObjectId || !upn) continue;
    const p = people.get(userObjectId) ?? { oid: userObjectId, upn, sessions: 0, organises: false };
    p.sessions++;
    people.set(userObjectId, p);
  }
  const ranked = [...people.values()]
    .map((p) => ({ ...p, organises: organisers.has(p.oid.toLowerCase()) }))
    .sort((a, b) => b.sessions - a.sessions);
  return ranked.find((p) => p.organises) ?? ranked[0]!;
}

/** True when `text` holds the person's object id or UPN (any letter case, as a substring). */
export function names(text: string, person: { oid: string; upn: string }): boolean {
  const lower = text.toLowerCase();
  return lower.includes(person.oid.toLowerCase()) || lower.includes(person.upn.toLowerCase());
}
