// V8 heap growth for the function app's process, set when ingestExport loads. Streamed ingestion keeps
// little alive (about 55 MB for 50,000 accepted rows, mostly the de-duplication index) but parses and
// drops a lot; with V8's default growth the heap grows ahead of that garbage to about 2.5 times the live
// set, and the Node worker's peak RSS with it. A 30 % growth step and a young generation that stays at
// its initial size keep the peak near 155 MB instead of 255 MB on the 50,000-row bench export (see
// `npm run bench -- --only pipeline` for the time it costs). V8 reads both flags each time it resizes a space.
import { setFlagsFromString } from 'node:v8';

export const INGEST_HEAP_FLAGS = ['--heap-growing-percent=30', '--semi-space-growth-factor=1'] as const;

let applied = false;

/** Sets the flags, once per process. */
export function applyIngestHeapTuning(): void {
  if (applied) return;
  for (const flag of INGEST_HEAP_FLAGS) setFlagsFromString(flag);
  applied = true;
}
