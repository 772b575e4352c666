// A cap on V8's young generation for the CLI's batch runs.
//
// A run keeps most of the records it reads until its report is written, so nearly everything the
// scavenger sees survives, and V8 answers by growing the young generation to its maximum (16 MiB
// semi-spaces, 32 MiB committed). For this workload that buys no speed and costs peak RSS (measured
// with `-d`: 50,000 rows about 110 MB instead of 140 MB; 1,000,000 rows 0.78 GB instead of 0.95 GB;
// same wall time or less). V8 reads the growth factor each time it grows the space, so
// setting it to 1 once the space has reached the size below stops the growth there. Measured on
// Node 20 (V8 11.3); a V8 that holds the factor at 2 or more ignores the setting, and the run then
// simply uses the default young generation.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Young generation (new space) size at which growth stops. */
export const YOUNG_GENERATION_CAP_BYTES = 4 * 1024 * 1024;

/** The V8 flag set to stop the growth (test/cli/youngGeneration.test.ts checks that this Node has it). */
export const GROWTH_FLAG = '--semi-space-growth-factor=1';

/**
 * Returns a check to call now and then (after each input chunk): once the young generation has
 * reached `capBytes`, it stops its growth, once, for the rest of the process.
 */
export function youngGenerationCap(capBytes = YOUNG_GENERATION_CAP_BYTES): () => void {
  let capped = false;
  return () => {
    if (capped) return;
    const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (newSpace === undefined || newSpace.space_size < capBytes) return;
    setFlagsFromString(GROWTH_FLAG);
    capped = true;
  };
}
