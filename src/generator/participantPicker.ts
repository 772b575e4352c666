// The participants of one synthetic meeting, drawn from the directory without repeats: the
// organiser, users, guests, rooms, phone numbers, the recording bot and anonymous guests.
import { RECORDING_BOT_ID, anonymousName, phoneNumber, type Person } from './identities.js';
import type { Intent } from './attendance.js';
import type { ModelContext, Participant } from './meetingTypes.js';
import type { Rng } from './prng.js';

/** Organisation size (mixed meetings draw their people from it). */
const MIXED_USER_POOL = 8192;
const GUEST_POOL = 4096;
const ROOM_POOL = 64;

/** Draws the participants of one meeting; the pickers are set up (and the organiser chosen) on construction. */
export class ParticipantPicker {
  readonly organizer: Person;
  private readonly users: DistinctPicker;
  private readonly guests: DistinctPicker;
  private readonly rooms: DistinctPicker;
  private readonly usedPhones = new Set<string>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly rng: Rng,
    sessions: number,
    private readonly newerShapes: boolean,
  ) {
    // Pools at least as large as the session count, so a meeting never meets the same person twice.
    const pool = (minimum: number): number => Math.max(minimum, powerOfTwoAtLeast(Math.ceil(sessions * 1.25) + 16));
    this.users = new DistinctPicker(rng, pool(MIXED_USER_POOL));
    this.guests = new DistinctPicker(rng, pool(GUEST_POOL));
    this.rooms = new DistinctPicker(rng, pool(ROOM_POOL));
    this.organizer = ctx.directory.user(this.users.next());
  }

  /** The participant of an intent (the organiser's intent gives the organiser). */
  next(intent: Pick<Intent, 'kind' | 'organizer'>): Participant {
    return makeParticipant(
      this.ctx,
      this.rng,
      intent,
      this.users,
      this.guests,
      this.rooms,
      this.usedPhones,
      this.newerShapes,
      this.organizer,
    );
  }
}

/** Distinct indices in [0, size) (size a power of two): an odd multiplier makes the map a bijection. */
class DistinctPicker {
  private n = 0;
  private readonly multiplier: number;
  private readonly offset: number;

  constructor(
    rng: Rng,
    private readonly size: number,
  ) {
    this.multiplier = (rng.int(0, size / 2 - 1) * 2 + 1) % size || 1;
    this.offset = rng.int(0, size - 1);
  }

  next(): number {
    const value = (this.multiplier * this.n + this.offset) % this.size;
    this.n++;
    return value;
  }
}

function powerOfTwoAtLeast(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

function makeParticipant(
  ctx: ModelContext,
  rng: Rng,
  intent: Pick<Intent, 'kind' | 'organizer'>,
  users: DistinctPicker,
  guests: DistinctPicker,
  rooms: DistinctPicker,
  usedPhones: Set<string>,
  newerShapes: boolean,
  organizer: Person,
): Participant {
  switch (intent.kind) {
    case 'phone': {
      let number = phoneNumber(rng);
      while (usedPhones.has(number)) number = phoneNumber(rng);
      usedPhones.add(number);
      return {
        kind: 'phone',
        key: number,
        attendee: { DisplayName: number, RecipientType: 'Phone' },
        fromLobby: false,
      };
    }
    case 'bot':
      return {
        kind: 'bot',
        key: RECORDING_BOT_ID,
        attendee: { DisplayName: RECORDING_BOT_ID, RecipientType: 'Applications' },
        fromLobby: false,
      };
    case 'anonymous': {
      const name = anonymousName(rng);
      return {
        kind: 'anonymous',
        key: name,
        attendee: { DisplayName: name, RecipientType: 'Anonymous' },
        fromLobby: true,
      };
    }
    case 'user':
    case 'guest':
    case 'room': {
      const person = intent.organizer
        ? organizer
        : intent.kind === 'guest'
          ? ctx.directory.guest(guests.next())
          : intent.kind === 'room'
            ? ctx.directory.room(rooms.next())
            : ctx.directory.user(users.next());
      const guest = intent.kind === 'guest';
      if (!newerShapes) {
        const attendee: Record<string, string | number> = {
          UserObjectId: person.objectId,
          OrganizationId: person.organizationId,
          RecipientType: 'User',
        };
        if (rng.chance(0.5)) attendee['DisplayName'] = person.displayName;
        return { kind: intent.kind, key: person.objectId, attendee, fromLobby: guest };
      }
      // OrganizationId is not always present in real records: here only for guests.
      const attendee: Record<string, string | number> = { DisplayName: person.displayName };
      if (guest) attendee['OrganizationId'] = person.organizationId;
      attendee['RecipientType'] = guest ? 'GuestFederated' : 'InternalFederated';
      attendee['Role'] = intent.organizer || (!guest && rng.chance(0.1)) ? 1 : 3;
      attendee['UPN'] = person.upn;
      const withObjectId = !rng.chance(guest ? 0.5 : 0.2);
      if (withObjectId) attendee['UserObjectId'] = person.objectId;
      return { kind: intent.kind, key: withObjectId ? person.objectId : person.upn, attendee, fromLobby: guest };
    }
  }
}
