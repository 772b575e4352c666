// The identity used to group one participant's sessions: UserObjectId, else UPN, else DisplayName.
import type { Attendee } from './records.js';

export interface ParticipantKey {
  /** '' when the attendee carries no identifier at all. */
  key: string;
  /** 'low' for a display name (anonymous visitors, phone numbers, apps) or no identifier. */
  confidence: 'high' | 'low';
  source: 'UserObjectId' | 'UPN' | 'DisplayName' | 'none';
}

/** UserObjectId (verbatim) → UPN (lower-cased: UPNs compare case-insensitively) → DisplayName (verbatim). Empty values are skipped. */
export function participantKey(a: Attendee): ParticipantKey {
  if (a.userObjectId) return { key: a.userObjectId, confidence: 'high', source: 'UserObjectId' };
  if (a.upn) return { key: a.upn.toLowerCase(), confidence: 'high', source: 'UPN' };
  if (a.displayName) return { key: a.displayName, confidence: 'low', source: 'DisplayName' };
  return { key: '', confidence: 'low', source: 'none' };
}

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an Entra object id (a GUID): the ids a directory such as Microsoft Graph can be asked about. */
export function isObjectId(id: string): boolean {
  return OBJECT_ID.test(id);
}
