// Small helpers shared by the report modules: timestamps as ISO text and source references.
import { formatIsoUtc } from '../audit/time.js';
import type { SourceRef } from '../audit/records.js';

/** `YYYY-MM-DDThh:mm:ssZ`, or '' when the time is missing or not finite. */
export function isoOrEmpty(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15 ? '' : formatIsoUtc(ms);
}

/** `file:line` of a record. */
export function sourceText(source: SourceRef): string {
  return `${source.file}:${source.line}`;
}

/** Seconds between two epoch-ms times, to the millisecond. */
export function secondsBetween(fromMs: number, toMs: number): number {
  return Math.round(toMs - fromMs) / 1000;
}
