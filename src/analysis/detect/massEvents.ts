// Mass events: many human participants dropping within a short window (a service or site incident),
// reported once instead of as individual drops.
import type { Disconnection, MassEvent } from '../model.js';
import { at, compareText } from '../order.js';
import { siteLabel } from '../sites.js';
import { massEventMemberReason, massEventReason } from './reasons.js';
import type { Rule } from './rule.js';

/**
 * Drops in the strong/probable bands are sorted by leave time; every window of leaves spanning at most
 * 2 × massEventWindowSeconds (± the window around its midpoint) that holds ≥ massEventMinPeople distinct
 * human participants and ≥ massEventMinShare of the meeting's humans qualifies; overlapping qualifying
 * windows merge into one event. Member drops (of any class) get the event id and are no longer counted.
 */
export function findMassEvents(
  meetingId: string,
  disconnections: Disconnection[],
  order: Map<string, number>,
  humansInMeeting: number,
  rule: Rule,
): MassEvent[] {
  if (humansInMeeting === 0) return [];
  const drops = disconnections
    .filter((d) => d.band !== 'possible')
    .sort(
      (a, b) =>
        a.leaveTime - b.leaveTime ||
        (order.get(a.participantKey) ?? 0) - (order.get(b.participantKey) ?? 0) ||
        compareText(a.lostRecordId, b.lostRecordId),
    );
  const { massEventMinPeople, massEventMinShare } = rule.params;
  const qualifies = (humans: number): boolean =>
    humans >= massEventMinPeople && humans / humansInMeeting >= massEventMinShare;

  // Sliding window: [i, j) holds the leaves within massWindowMs × 2 of leave i.
  const humanCount = new Map<string, number>();
  const ranges: Array<[number, number]> = [];
  let j = 0;
  for (let i = 0; i < drops.length; i++) {
    const startTime = at(drops, i).leaveTime;
    while (j < drops.length && at(drops, j).leaveTime - startTime <= 2 * rule.massWindowMs) {
      const d = at(drops, j);
      if (d.participantClass === 'human') humanCount.set(d.participantKey, (humanCount.get(d.participantKey) ?? 0) + 1);
      j++;
    }
    if (qualifies(humanCount.size)) {
      const last = ranges[ranges.length - 1];
      if (last && i < last[1]) last[1] = j;
      else ranges.push([i, j]);
    }
    const leaving = at(drops, i);
    if (leaving.participantClass === 'human') {
      const left = (humanCount.get(leaving.participantKey) ?? 1) - 1;
      if (left === 0) humanCount.delete(leaving.participantKey);
      else humanCount.set(leaving.participantKey, left);
    }
  }

  return ranges.map(([from, to]) => {
    const members = drops.slice(from, to);
    const start = at(members, 0).leaveTime;
    const end = at(members, members.length - 1).leaveTime;
    const id = `${meetingId}#mass#${start}`;
    const people = new Set(members.map((d) => d.participantKey));
    const humans = new Set(members.filter((d) => d.participantClass === 'human').map((d) => d.participantKey));
    const sites = [...new Set(members.map((d) => siteLabel(d.network.ipBefore, d.network.siteBefore)))].sort(
      compareText,
    );
    for (const d of members) {
      d.massEventId = id;
      d.counted = false;
      d.reason = massEventMemberReason(d.reason, id, people.size, rule);
    }
    return {
      id,
      meetingId,
      start,
      end,
      participants: people.size,
      humansInMeeting,
      sites,
      reason: massEventReason({ humans: humans.size, humansInMeeting, people: people.size, start, end, sites }, rule),
    };
  });
}
