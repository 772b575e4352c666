// The meeting instance a meeting's findings are judged against: MeetingDetail's times when usable,
// else the span of its participants' sessions.
import type { ClassifiedSession, Meeting } from '../model.js';
import { groupBy } from '../order.js';
import { classOf } from './participants.js';
import type { MeetingWindow } from './rule.js';

/** A participant's sessions (or one session), as an iteration gives them. */
export type SessionsOfParticipant = () => Iterable<ClassifiedSession[]>;

/**
 * The meeting instance: MeetingDetail StartTime/EndTime when both are present and ordered; otherwise
 * min(join)..max(leave) over the sessions of human participants, else over all non-bot sessions, else
 * over all sessions ({0, 0} when there are none).
 */
export function meetingWindow(meeting: Meeting, sessions: ClassifiedSession[]): MeetingWindow {
  return detailWindow(meeting) ?? windowOfParticipants(() => groupBy(sessions, (s) => s.participantKey).values());
}

/** MeetingDetail StartTime/EndTime when both are present and ordered. */
export function detailWindow(meeting: Meeting): MeetingWindow | undefined {
  const detail = meeting.detail;
  if (
    detail &&
    isFiniteNumber(detail.startTime) &&
    isFiniteNumber(detail.endTime) &&
    detail.endTime >= detail.startTime
  ) {
    return { start: detail.startTime, end: detail.endTime, source: 'MeetingDetail' };
  }
  return undefined;
}

/** The window from the sessions: human participants' sessions, else non-bot sessions, else all. */
export function windowOfParticipants(participants: SessionsOfParticipant): MeetingWindow {
  const human = new Span();
  const nonBot = new Span();
  const all = new Span();
  for (const list of participants()) {
    const isHuman = classOf(list) === 'human';
    for (const s of list) {
      all.add(s);
      if (s.participantClass === 'bot') continue;
      nonBot.add(s);
      if (isHuman) human.add(s);
    }
  }
  const pool = human.count > 0 ? human : nonBot.count > 0 ? nonBot : all;
  if (pool.count === 0) return { start: 0, end: 0, source: 'sessions' };
  return { start: pool.start, end: Math.max(pool.start, pool.end), source: 'sessions' };
}

/** min(join)..max(leave) of the sessions added. */
class Span {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;
  count = 0;
  add(s: ClassifiedSession): void {
    if (s.session.joinTime < this.start) this.start = s.session.joinTime;
    if (s.session.leaveTime > this.end) this.end = s.session.leaveTime;
    this.count++;
  }
}

function isFiniteNumber(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
