// The non-drop evidence of one meeting for /api/meetings/{meetingId}: device hand-offs and the other
// detector notes, and the meeting-level mass events. The result tables keep only their counts, so the
// detector runs again on the stored sessions with the current config (milliseconds for one meeting).
import type { SessionClassifier } from '../../analysis/classify.js';
import { analyseMeeting } from '../../analysis/detect.js';
import type { DetectionParams, Meeting } from '../../analysis/model.js';
import { isoOrEmpty } from '../../reports/common.js';

export interface MeetingNoteRow {
  participantKey: string;
  /** device-handoff, nested-same-device, rejoin-after-end, leave-at-end or gap-too-long. */
  kind: string;
  /** ISO UTC. */
  time: string;
  reason: string;
  recordIds: string[];
}

export interface MassEventRow {
  id: string;
  /** ISO UTC: first and last leave of the event. */
  start: string;
  end: string;
  participants: number;
  humansInMeeting: number;
  sites: string[];
  reason: string;
}

/** The events of a meeting as read by storage/meetingRecords.ts (already de-duplicated). */
export function meetingEvents(
  meeting: Meeting,
  classifier: SessionClassifier,
  params: DetectionParams,
): { notes: MeetingNoteRow[]; massEvents: MassEventRow[] } {
  if (meeting.sessions.length === 0) return { notes: [], massEvents: [] };
  const analysis = analyseMeeting(meeting, (s) => classifier.classify(s), params);
  return {
    notes: analysis.notes.map((n) => ({
      participantKey: n.participantKey,
      kind: n.kind,
      time: isoOrEmpty(n.time),
      reason: n.reason,
      recordIds: n.recordIds,
    })),
    massEvents: analysis.massEvents.map((m) => ({
      id: m.id,
      start: isoOrEmpty(m.start),
      end: isoOrEmpty(m.end),
      participants: m.participants,
      humansInMeeting: m.humansInMeeting,
      sites: m.sites,
      reason: m.reason,
    })),
  };
}
