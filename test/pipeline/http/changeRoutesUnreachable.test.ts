// The routes that change data (withdrawal, erasure) when storage cannot be reached (src/storage/unreachable.ts):
// 503 StorageUnavailable with Retry-After, as the reports answer, keeping the advice that sending the same
// request again finishes the work, also when the outage comes midway and wrapped as the cause of another error;
// sending it again then finishes. No internals in the body; the log says storage was unavailable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineLog } from '../../../src/pipeline/log.js';
import { answerErasure } from '../../../src/pipeline/http/eraseRoute.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../../../src/pipeline/http/storageUnavailable.js';
import type { ReportResponse } from '../../../src/pipeline/http/types.js';
import { answerWithdrawal } from '../../../src/pipeline/http/withdrawRoute.js';
import { logPurge, type LogPurge } from '../../../src/pipeline/logAnalytics/purgeService.js';
import type { ErasureResult } from '../../../src/storage/erasure.js';
import { jsonBody, type ErrorBody } from '../../support/jsonBody.js';
import { analysedStore } from '../privacyFixtures.js';
import { STORAGE_INTERNALS, unreachableStore } from '../../storage/testStore.js';

/** A store on a storage account nobody listens at (a port just freed). */
function capture(): { errors: string[]; log: PipelineLog } {
  const errors: string[] = [];
  return { errors, log: { info: () => {}, warn: () => {}, error: (m) => errors.push(m) } };
}

function assertUnavailable(response: ReportResponse, what: string): void {
  assert.equal(response.status, 503, response.body);
  assert.equal(response.headers['retry-after'], String(STORAGE_RETRY_AFTER_SECONDS));
  const { error } = jsonBody<ErrorBody>(response);
  assert.equal(error.code, 'StorageUnavailable');
  assert.match(error.message, new RegExp(`^the ${what} did not finish: .*sending the same request again`));
  assert.doesNotMatch(response.body, STORAGE_INTERNALS);
}

test('withdrawal and erasure on unreachable storage: 503 StorageUnavailable with Retry-After, logged', async () => {
  const store = await unreachableStore();
  const withdrawal = capture();
  assertUnavailable(
    await answerWithdrawal({ name: 'a.ndjson', query: {} }, { store, log: withdrawal.log }),
    'withdrawal',
  );
  assert.equal(withdrawal.errors.length, 1, withdrawal.errors.join('\n'));
  assert.ok(withdrawal.errors[0]!.startsWith('withdrawUpload: storage unavailable: '), withdrawal.errors[0]);

  const erasure = capture();
  assertUnavailable(
    await answerErasure(
      { id: 'ann@contoso.com', query: {} },
      { store, log: erasure.log, pseudonymizer: () => undefined, logPurge: () => undefined },
    ),
    'erasure',
  );
  assert.equal(erasure.errors.length, 1, erasure.errors.join('\n'));
  assert.ok(erasure.errors[0]!.startsWith('eraseUser: storage unavailable: '), erasure.errors[0]);
});

test('a withdrawal that meets an outage midway (wrapped as a cause) answers 503; sending it again finishes it', async () => {
  const { store } = await analysedStore('wdu', { records: 600, seed: 61 });
  const outage = await (await unreachableStore()).ledger.listForBlob('x.ndjson').then(
    () => assert.fail('nothing listens at this port'),
    (error: unknown) => error,
  );
  let done = 0;
  const { log } = capture();
  const cut = await answerWithdrawal(
    { name: 'p.ndjson', query: {} },
    {
      store,
      log,
      onMeetingDone: () => {
        if (++done === 2) throw new Error('the meeting could not be re-marked', { cause: outage });
      },
    },
  );
  assertUnavailable(cut, 'withdrawal');
  assert.equal((await store.ledger.listForBlob('p.ndjson'))[0]!.status, 'withdrawing', 'it stopped midway');

  const again = await answerWithdrawal({ name: 'p.ndjson', query: {} }, { store });
  assert.equal(again.status, 200, again.body);
  assert.equal((await store.ledger.listForBlob('p.ndjson'))[0]!.status, 'withdrawn');
});

test('an erasure whose purge queue cannot be reached answers 503; sending it again finishes it; other failures stay 500', async () => {
  const { store } = await analysedStore('eru', { records: 400, seed: 67 });
  const gone = await unreachableStore();
  const unreachablePurge = logPurge(gone, {
    purger: {
      purge: () => Promise.reject(new Error('not called: the queue fails first')),
      getPurgeStatus: () => Promise.reject(new Error('not called')),
    },
    workspace: { subscriptionId: 's', resourceGroup: 'g', workspace: 'w' },
    log: capture().log,
  });
  const person = 'ann.erasure@contoso.com';
  const { log } = capture();
  const cut = await answerErasure(
    { id: person, query: {} },
    { store, log, pseudonymizer: () => undefined, logPurge: () => unreachablePurge },
  );
  assertUnavailable(cut, 'erasure');

  const again = await answerErasure(
    { id: person, query: {} },
    { store, log, pseudonymizer: () => undefined, logPurge: () => undefined },
  );
  assert.equal(again.status, 200, again.body);
  assert.equal(jsonBody<ErasureResult>(again).tables['users']?.deleted, 0, 'the counts of a finished erasure');

  const failing: LogPurge = { ...unreachablePurge, queue: () => Promise.reject(new Error('a bug, not an outage')) };
  const bug = await answerErasure(
    { id: person, query: {} },
    { store, log, pseudonymizer: () => undefined, logPurge: () => failing },
  );
  assert.equal(bug.status, 500, bug.body);
  assert.equal(bug.headers['retry-after'], undefined);
  assert.equal(jsonBody<ErrorBody>(bug).error.code, 'InternalError');
});
