// tala v3.0.0 output layouts (docs/design/tala-compatibility.md), byte for byte: unquoted CSV for -o and
// -a, the indented -d report and its summary.
import type { TalaConnection, TalaFileResult, TalaMeeting } from './engine.js';
import { formatPythonFixed1 } from './pyFormat.js';
import { neutraliseFormula } from '../render/csv.js';

export const TALA_MEETINGS_HEADER =
  '#meeting_id,organizer_email,organizer_id,organizer_organization,meeting_type,first_join,last_leave,number_attendees';
export const TALA_ATTENDEES_HEADER =
  '#meeting_id,attendee_key,attendee_email,key_type,attendee_organization,join_time,leave_time,client_ip,device,property';

/** Users database lookup (uuid → e-mail); tala matches exact strings. */
export interface TalaUsers {
  get(uuid: string): string | undefined;
}

/** Tests one connection's IP string (tala: Python `re.search`, unanchored). */
export interface IpTest {
  test(ip: string): boolean;
}

/** `s` without everything from its first `T` (Python `re.sub(r"T.*", "", s)` on one line). */
export function talaDate(s: string): string {
  const t = s.indexOf('T');
  return t < 0 ? s : s.slice(0, t);
}

/** `s` without everything up to and including its last `T` (Python `re.sub(r".*T", "", s)`). */
export function talaTime(s: string): string {
  return s.slice(s.lastIndexOf('T') + 1);
}

/** Python `format(s, '15s')`: left-aligned, padded with spaces to 15 code points, never cut. */
export function padIp(ip: string): string {
  let codePoints = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) codePoints++;
  }
  return codePoints >= 15 ? ip : ip + ' '.repeat(15 - codePoints);
}

/** `-o`: header and one line per meeting in first-appearance order. */
export function talaMeetingsLines(result: TalaFileResult): string[] {
  const out = [TALA_MEETINGS_HEADER];
  for (const [key, m] of result.meetings) {
    out.push(
      `${key},${m.organizerEmail},${m.organizerId},${m.organizerOrg},${m.meetingType},${m.firstJoin},${m.lastLeave},${m.attendees.size}`,
    );
  }
  return out;
}

/** `-a`: header and one line per kept connection (meeting, attendee, (join, leave) order). */
export function talaAttendeesLines(result: TalaFileResult, users: TalaUsers): string[] {
  return [...talaAttendeeLineStream(result, users)];
}

/** talaAttendeesLines one line at a time (the output can be written without building it whole). */
export function* talaAttendeeLineStream(result: TalaFileResult, users: TalaUsers): Generator<string> {
  yield TALA_ATTENDEES_HEADER;
  for (const [mk, m] of result.meetings) {
    for (const [ak, conns] of m.attendees) {
      const email = users.get(ak) ?? '';
      for (const c of conns) {
        yield `${mk},${ak},${email},${c.keyType},${c.attendeeOrg},${c.join},${c.leave},${c.ip},${c.device},${c.property}`;
      }
    }
  }
}

function connectionLine(c: TalaConnection): string {
  return `    Time: ${talaTime(c.join)} - ${talaTime(c.leave)} / IP address: ${padIp(c.ip)} / Device: ${c.device} / Property: ${c.property}`;
}

function meetingLine(m: TalaMeeting): string {
  return `Meeting ID: ${m.meetingKey} / Type: ${m.meetingType} / Date: ${talaDate(m.firstJoin)} / Time: ${talaTime(m.firstJoin)} - ${talaTime(m.lastLeave)} / #Attendees: ${m.attendees.size}`;
}

export interface TalaDisconnectStats {
  meetingsAffected: number;
  meetings: number;
  attendeesAffected: number;
  attendees: number;
}

/**
 * `-d`: per meeting and attendee, the connections passing the IP test are bucketed by device
 * (empty device → bucket `?`); a bucket with two or more connections is printed, followed by
 * a blank line. Then the `=====` summary. With no meeting at all the percentages print as 0.0
 * (tala divides by zero there).
 */
export function talaDisconnectLines(
  result: TalaFileResult,
  users: TalaUsers,
  ipFilter?: IpTest,
): { lines: string[]; stats: TalaDisconnectStats } {
  const out: string[] = [];
  let meetingsAffected = 0;
  let attendeesAffected = 0;
  let attendees = 0;
  for (const m of result.meetings.values()) {
    attendees += m.attendees.size;
    let meetingPrinted = false;
    for (const [key, conns] of m.attendees) {
      const buckets = new Map<string, TalaConnection[]>();
      for (const c of conns) {
        if (ipFilter !== undefined && !ipFilter.test(c.ip)) continue;
        const device = c.device === '' ? '?' : c.device;
        const bucket = buckets.get(device);
        if (bucket === undefined) buckets.set(device, [c]);
        else bucket.push(c);
      }
      let attendeePrinted = false;
      for (const bucket of buckets.values()) {
        if (bucket.length < 2) continue;
        if (!meetingPrinted) {
          out.push(meetingLine(m));
          meetingPrinted = true;
        }
        if (!attendeePrinted) {
          const first = conns[0]!; // key type and organization from the first sorted connection, filtered or not
          const email = users.get(key);
          out.push(
            email === undefined
              ? `  Attendee: ${key} / Key type: ${first.keyType} / Organization ID: ${first.attendeeOrg}`
              : `  Attendee: ${key} / Key type: ${first.keyType} / Email: ${email} / Organization ID: ${first.attendeeOrg}`,
          );
          attendeePrinted = true;
        }
        for (const c of bucket) out.push(connectionLine(c));
        out.push('');
      }
      if (attendeePrinted) attendeesAffected++;
    }
    if (meetingPrinted) meetingsAffected++;
  }
  const meetings = result.meetings.size;
  const pct = (x: number, y: number): string => (y === 0 ? '0.0' : formatPythonFixed1((100 * x) / y));
  out.push('=====');
  out.push(`${meetingsAffected} meetings affected out of ${meetings} (${pct(meetingsAffected, meetings)}%)`);
  out.push(`${attendeesAffected} attendees affected out of ${attendees} (${pct(attendeesAffected, attendees)}%)`);
  return { lines: out, stats: { meetingsAffected, meetings, attendeesAffected, attendees } };
}

/** Cells of the -o / -a output that a spreadsheet would treat as formulas (compat output is not neutralised). */
export function countFormulaLikeCells(lines: readonly string[]): number {
  let n = 0;
  for (let i = 1; i < lines.length; i++) n += formulaLikeCells(lines[i]!);
  return n;
}

/** countFormulaLikeCells of one data line (not the header). */
export function formulaLikeCells(line: string): number {
  let n = 0;
  for (const cell of line.split(',')) {
    if (neutraliseFormula(cell) !== cell) n++;
  }
  return n;
}
