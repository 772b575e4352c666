// The detection rule's parameters in milliseconds, with the meeting-instance window they apply to.
import type { DetectionParams } from '../model.js';

export interface MeetingWindow {
  start: number;
  end: number;
  source: 'MeetingDetail' | 'sessions';
}

/** Parameters converted to milliseconds, with the instance window. */
export interface Rule {
  params: DetectionParams;
  toleranceMs: number;
  strongMs: number;
  rejoinMs: number;
  possibleMs: number;
  endGraceMs: number;
  massWindowMs: number;
  window: MeetingWindow;
}

export function toRule(params: DetectionParams, window: MeetingWindow): Rule {
  return {
    params,
    toleranceMs: params.overlapToleranceSeconds * 1000,
    strongMs: params.strongGapSeconds * 1000,
    rejoinMs: params.rejoinWindowSeconds * 1000,
    possibleMs: params.possibleWindowSeconds * 1000,
    endGraceMs: params.endGraceSeconds * 1000,
    massWindowMs: params.massEventWindowSeconds * 1000,
    window,
  };
}
