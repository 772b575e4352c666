// The load section's store: the first 2,000 synthetic meetings of the pipeline bench (100,000 sessions,
// 50 each, five drops per meeting) and a 20,000-attendee town hall, analysed.
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import type { Store } from '../../src/storage/store.js';
import { SESSIONS_PER_MEETING } from '../pipeline/common.js';
import { writeBigStore } from '../pipeline/datasets.js';
import { writeTownHall } from './townHall.js';

export const LOAD_STORE_PREFIX = 'benchload';
export const LOAD_MEETINGS = 2_000;
export const LOAD_SESSIONS = LOAD_MEETINGS * SESSIONS_PER_MEETING;

export async function buildLoadStore(
  store: Store,
  log: (line: string) => void,
): Promise<{ meetings: number; disconnections: number }> {
  await store.ensureCreated();
  log(
    `load: writing ${LOAD_SESSIONS.toLocaleString('en-US')} sessions in ${LOAD_MEETINGS.toLocaleString('en-US')} meetings and a town hall`,
  );
  await writeBigStore(store, log, 0, LOAD_MEETINGS);
  await writeTownHall(store);
  log('load: analysing them');
  const analysed = await analyseMarkedMeetings({ store }, { deadline: Date.now() + 3_600_000 });
  return { meetings: analysed.analysed, disconnections: analysed.disconnections };
}
