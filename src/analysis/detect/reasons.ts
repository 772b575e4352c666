// The English sentences that explain each finding (disconnections, notes, mass events). Every number in
// them comes from the rule's parameters or the sessions; times are UTC clock times.
import type { SessionRecord } from '../../audit/records.js';
import { formatClockUtc } from '../../audit/time.js';
import type { Band, ClassifiedSession, Disconnection, NetworkEvidence, ParticipantClass } from '../model.js';
import { siteLabel } from '../sites.js';
import type { Rule } from './rule.js';

/** "14:03:12Z" (with milliseconds only when present). */
export function clock(ms: number): string {
  return formatClockUtc(ms);
}

/** A number of seconds as written in the reasons: at most three decimals. */
export function seconds(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

export function rejoinAfterEndReason(leaveTime: number, rejoinTime: number, rule: Rule): string {
  return `Left at ${clock(leaveTime)} and re-joined at ${clock(rejoinTime)}, after the meeting-instance end (${clock(rule.window.end)}): the meeting was restarted, so this is a new instance, not a drop.`;
}

export function leaveAtEndReason(leaveTime: number, rejoinTime: number, rule: Rule): string {
  return `Left at ${clock(leaveTime)}, within ${seconds(rule.params.endGraceSeconds)} s of the meeting-instance end (${clock(rule.window.end)}), and re-joined ${gapText(rejoinTime - leaveTime, rule)}: the meeting was ending, not a drop.`;
}

export function handoffReason(leaveTime: number, other: ClassifiedSession): string {
  return `Left at ${clock(leaveTime)} while another device (${other.platform}) of the same participant stayed connected from ${clock(other.session.joinTime)} to ${clock(other.session.leaveTime)}: device hand-off or companion device, not a drop.`;
}

export function gapTooLongReason(leaveTime: number, gapMs: number, rule: Rule): string {
  return `Left at ${clock(leaveTime)} and re-joined on the same device ${gapText(gapMs, rule)}, beyond the ${seconds(rule.params.possibleWindowSeconds)} s possible window: a separate attendance, not a drop.`;
}

/** Two sessions of one device description that overlap (or one inside the other). */
export function nestedReason(a: SessionRecord, b: SessionRecord, contained: boolean): string {
  const shape = contained
    ? `the session ${clock(b.joinTime)}–${clock(b.leaveTime)} lies inside the session ${clock(a.joinTime)}–${clock(a.leaveTime)}`
    : `the session joined at ${clock(b.joinTime)} overlaps the session leaving at ${clock(a.leaveTime)} by ${seconds((a.leaveTime - b.joinTime) / 1000)} s`;
  return `On one device description, ${shape}: treated as two physical devices sharing one description, not a drop.`;
}

/** Why a disconnection has low confidence because of who the participant is (empty: no such reason). */
export function participantDoubts(
  keyConfidence: Disconnection['keyConfidence'],
  participantClass: ParticipantClass,
): string[] {
  const doubts: string[] = [];
  if (keyConfidence === 'low')
    doubts.push(
      'participant identified by display name only, so the sessions may belong to different people (low confidence)',
    );
  if (participantClass === 'anonymous') doubts.push('anonymous participant (low confidence)');
  return doubts;
}

/** What a disconnection says: the leave and the re-join, its band, the network, doubts and class. */
export function disconnectionReason(
  d: Pick<Disconnection, 'kind' | 'band' | 'network' | 'participantClass' | 'leaveTime'> & {
    gapMs: number;
    rejoinPlatform: string;
    doubts: readonly string[];
  },
  rule: Rule,
): string {
  const leaveText = `Left at ${clock(d.leaveTime)}`;
  const parts: string[] = [];
  if (d.kind === 'drop') {
    parts.push(`${leaveText} and rejoined on the same device ${gapText(d.gapMs, rule)}`);
  } else {
    parts.push(
      `${leaveText} and came back on another device (${d.rejoinPlatform}) ${gapText(d.gapMs, rule)}, with no same-device re-join within ${seconds(rule.params.rejoinWindowSeconds)} s: ` +
        'drop with device switch, low confidence because the switch may have been deliberate',
    );
  }
  parts.push(bandText(d.band, rule));
  parts.push(networkText(d.network));
  parts.push(...d.doubts);
  if (d.participantClass !== 'human')
    parts.push(`reported in the ${d.participantClass} class, apart from the human drop rate`);
  return `${parts.join('; ')}.`;
}

/** A member drop's reason once it is part of a mass event. */
export function massEventMemberReason(reason: string, eventId: string, people: number, rule: Rule): string {
  return `${reason.replace(/\.$/, '')}; part of mass event ${eventId} (${people} participants dropped within ${seconds(rule.params.massEventWindowSeconds * 2)} s), so not counted individually.`;
}

export function massEventReason(
  e: { humans: number; humansInMeeting: number; people: number; start: number; end: number; sites: readonly string[] },
  rule: Rule,
): string {
  const { massEventMinPeople, massEventMinShare, massEventWindowSeconds } = rule.params;
  return (
    `${e.humans} of ${e.humansInMeeting} human participants (${e.people} participants in all) left between ${clock(e.start)} and ${clock(e.end)} ` +
    `and re-joined (thresholds: ≥ ${massEventMinPeople} people and ≥ ${seconds(massEventMinShare * 100)} % within ± ${seconds(massEventWindowSeconds)} s): ` +
    `likely a service or site incident (sites: ${e.sites.join(', ')}), counted once here instead of as individual drops.`
  );
}

function networkText(n: NetworkEvidence): string {
  const siteBefore = siteLabel(n.ipBefore, n.siteBefore);
  const siteAfter = siteLabel(n.ipAfter, n.siteAfter);
  if (n.ipBefore === '' && n.ipAfter === '') return 'no IP recorded';
  if (n.ipBefore === '' || n.ipAfter === '') {
    return `IP ${n.ipBefore || 'none'} → ${n.ipAfter || 'none'} (site ${siteBefore} → ${siteAfter}; one side has no IP, so no network change can be shown)`;
  }
  if (n.ipChanged) return `IP changed ${n.ipBefore} → ${n.ipAfter} (site ${siteBefore} → ${siteAfter})`;
  return `same IP ${n.ipBefore} (site ${siteBefore})`;
}

function bandText(band: Band, rule: Rule): string {
  const p = rule.params;
  if (band === 'strong') return `strong band (gap ≤ ${seconds(p.strongGapSeconds)} s), counted`;
  if (band === 'probable')
    return `probable band (${seconds(p.strongGapSeconds)}–${seconds(p.rejoinWindowSeconds)} s), counted`;
  return `possible band (${seconds(p.rejoinWindowSeconds)}–${seconds(p.possibleWindowSeconds)} s): reported, not counted in rates`;
}

function gapText(gapMs: number, rule: Rule): string {
  if (gapMs >= 0) return `${seconds(gapMs / 1000)} s later`;
  return `${seconds(-gapMs / 1000)} s before the recorded leave (overlap within the ${seconds(rule.params.overlapToleranceSeconds)} s tolerance)`;
}
