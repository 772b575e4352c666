// The rule for one participant: each device's sessions walked in time order, every leave judged once
// (a drop, a drop with device switch, or a note saying why it is not a drop), each re-join used once.
import type { Band, ClassifiedSession, Disconnection, DetectionNote, NetworkEvidence } from '../model.js';
import { at, lowerBound, sortInPlace } from '../order.js';
import { siteLabel } from '../sites.js';
import { AvailableDeviceIndex, CoverIndex } from './indexes.js';
import type { Participant } from './participants.js';
import {
  disconnectionReason,
  gapTooLongReason,
  handoffReason,
  leaveAtEndReason,
  nestedReason,
  participantDoubts,
  rejoinAfterEndReason,
} from './reasons.js';
import type { Rule } from './rule.js';

/** A leave to judge: session `lost` (index) and its successor on the same device, if any. */
interface Leave {
  lost: number;
  next?: number;
}

/**
 * Judges every leave of one participant. Each leave yields at most one disconnection or note, and each
 * re-join session explains at most one disconnection. Matching order: same-device re-joins within
 * rejoinWindow, then device switches (leaves in time order), then same-device re-joins beyond it.
 */
export function detectParticipant(
  meetingId: string,
  participant: Participant,
  rule: Rule,
  disconnections: Disconnection[],
  notes: DetectionNote[],
): void {
  // Bot sessions of a non-bot participant are left out, like bot participants.
  const active = participant.sessions.filter((s) => s.participantClass !== 'bot');
  if (active.length === 0) return;
  const joinOf = (i: number): number => at(active, i).session.joinTime;
  const leaveOf = (i: number): number => at(active, i).session.leaveTime;

  const deviceIds = new Map<string, number>();
  const deviceOf = active.map((s) => {
    let id = deviceIds.get(s.deviceKey);
    if (id === undefined) {
      id = deviceIds.size;
      deviceIds.set(s.deviceKey, id);
    }
    return id;
  });

  const note = (kind: DetectionNote['kind'], time: number, indices: number[], reason: string): void => {
    notes.push({
      meetingId,
      participantKey: participant.key,
      kind,
      time,
      recordIds: indices.map((i) => at(active, i).session.recordId),
      reason,
    });
  };

  // Walk each device stream in time order; `current` is the session reaching furthest so far.
  const streams = new Map<number, number[]>();
  active.forEach((_, i) => {
    const device = at(deviceOf, i);
    const stream = streams.get(device);
    if (stream) stream.push(i);
    else streams.set(device, [i]);
  });
  const leaves: Leave[] = [];
  for (const stream of streams.values()) {
    let current = at(stream, 0);
    for (let k = 1; k < stream.length; k++) {
      const next = at(stream, k);
      const gap = joinOf(next) - leaveOf(current);
      const contained = leaveOf(next) < leaveOf(current) || (leaveOf(next) === leaveOf(current) && gap < 0);
      if (gap < -rule.toleranceMs || contained) {
        note(
          'nested-same-device',
          joinOf(next),
          [current, next],
          nestedReason(at(active, current).session, at(active, next).session, contained),
        );
        if (!contained) current = next; // the earlier session's leave falls inside the later one
        continue;
      }
      leaves.push({ lost: current, next });
      current = next;
    }
    leaves.push({ lost: current });
  }

  const multiDevice = deviceIds.size > 1;
  const cover = multiDevice ? new CoverIndex(active, deviceOf) : undefined;
  const available = multiDevice ? new AvailableDeviceIndex(deviceOf) : undefined;
  const reserved = new Uint8Array(active.length);
  const joins = active.map((s) => s.session.joinTime); // ascending: sessions are sorted by join first

  const judge = (leave: Leave, rejoin: number | undefined, kind: Disconnection['kind']): void => {
    const lost = leave.lost;
    const leaveTime = leaveOf(lost);
    const { window } = rule;
    if (rejoin !== undefined && joinOf(rejoin) > window.end) {
      note('rejoin-after-end', joinOf(rejoin), [lost, rejoin], rejoinAfterEndReason(leaveTime, joinOf(rejoin), rule));
      return;
    }
    if (leaveTime >= window.end - rule.endGraceMs) {
      if (rejoin !== undefined) {
        note('leave-at-end', leaveTime, [lost, rejoin], leaveAtEndReason(leaveTime, joinOf(rejoin), rule));
      }
      return;
    }
    const coverer = cover?.coverOf(leaveTime, at(deviceOf, lost), rule.toleranceMs);
    if (coverer !== undefined) {
      const indices = rejoin === undefined ? [lost, coverer] : [lost, coverer, rejoin];
      note('device-handoff', leaveTime, indices, handoffReason(leaveTime, at(active, coverer)));
      return;
    }
    if (rejoin === undefined) return;
    const gapMs = joinOf(rejoin) - leaveTime;
    if (gapMs > rule.possibleMs) {
      note('gap-too-long', leaveTime, [lost, rejoin], gapTooLongReason(leaveTime, gapMs, rule));
      return;
    }
    disconnections.push(makeDisconnection(meetingId, participant, at(active, lost), at(active, rejoin), kind, rule));
    reserved[rejoin] = 1;
    available?.remove(rejoin);
  };

  // 1. Same-device re-joins within rejoinWindow.
  const later: Leave[] = [];
  for (const leave of leaves) {
    if (leave.next !== undefined && joinOf(leave.next) - leaveOf(leave.lost) <= rule.rejoinMs)
      judge(leave, leave.next, 'drop');
    else later.push(leave);
  }
  // 2. Device switches, leaves in time order; a leave with a later same-device re-join waits for step 3.
  sortInPlace(later, (a, b) => leaveOf(a.lost) - leaveOf(b.lost) || a.lost - b.lost);
  const deferred: Leave[] = [];
  for (const leave of later) {
    const leaveTime = leaveOf(leave.lost);
    let target: number | undefined;
    if (available) {
      const from = lowerBound(joins, leaveTime - rule.toleranceMs);
      const candidate = available.firstFrom(from, at(deviceOf, leave.lost));
      if (candidate >= 0 && joinOf(candidate) <= leaveTime + rule.rejoinMs) target = candidate;
    }
    if (target !== undefined) judge(leave, target, 'drop-device-switch');
    else if (leave.next === undefined) judge(leave, undefined, 'drop');
    else deferred.push(leave);
  }
  // 3. Same-device re-joins in the possible band (or beyond), unless that session already explained a drop.
  for (const leave of deferred) {
    const next = leave.next;
    judge(leave, next !== undefined && reserved[next] === 0 ? next : undefined, 'drop');
  }
}

function makeDisconnection(
  meetingId: string,
  participant: Participant,
  lost: ClassifiedSession,
  rejoin: ClassifiedSession,
  kind: Disconnection['kind'],
  rule: Rule,
): Disconnection {
  const gapMs = rejoin.session.joinTime - lost.session.leaveTime;
  const band: Band = gapMs <= rule.strongMs ? 'strong' : gapMs <= rule.rejoinMs ? 'probable' : 'possible';
  const network = networkEvidence(lost, rejoin);
  const doubts = participantDoubts(participant.keyConfidence, participant.participantClass);
  const confidence: Disconnection['confidence'] =
    band === 'possible' || kind === 'drop-device-switch' || doubts.length > 0
      ? 'low'
      : band === 'strong'
        ? 'high'
        : 'medium';
  const leaveTime = lost.session.leaveTime;
  const { participantClass } = participant;

  const disconnection: Disconnection = {
    meetingId,
    participantKey: participant.key,
    keyConfidence: participant.keyConfidence,
    participantClass,
    deviceKey: lost.deviceKey,
    platform: lost.platform,
    kind,
    band,
    counted: band !== 'possible',
    confidence,
    leaveTime,
    rejoinTime: rejoin.session.joinTime,
    gapSeconds: gapMs / 1000,
    lostRecordId: lost.session.recordId,
    rejoinRecordId: rejoin.session.recordId,
    network,
    reason: disconnectionReason(
      { kind, band, network, participantClass, leaveTime, gapMs, rejoinPlatform: rejoin.platform, doubts },
      rule,
    ),
  };
  if (participant.displayName !== undefined) disconnection.displayName = participant.displayName;
  if (participant.upn !== undefined) disconnection.upn = participant.upn;
  if (kind === 'drop-device-switch') {
    disconnection.rejoinDeviceKey = rejoin.deviceKey;
    disconnection.rejoinPlatform = rejoin.platform;
  }
  return disconnection;
}

/** ipChanged/siteChanged are true only when both sessions have an IP (a missing IP proves nothing). */
function networkEvidence(before: ClassifiedSession, after: ClassifiedSession): NetworkEvidence {
  const bothKnown = before.ip !== '' && after.ip !== '';
  const evidence: NetworkEvidence = {
    ipBefore: before.ip,
    ipAfter: after.ip,
    ipChanged: bothKnown && before.ip !== after.ip,
    siteChanged: bothKnown && siteLabel(before.ip, before.site?.name) !== siteLabel(after.ip, after.site?.name),
  };
  if (before.site) evidence.siteBefore = before.site.name;
  if (after.site) evidence.siteAfter = after.site.name;
  return evidence;
}
