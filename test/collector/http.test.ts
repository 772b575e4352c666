import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryingHttp, isThrottled, retryAfterMs, type FetchLike } from '../../src/collector/http.js';
import { CollectorError, ManagementApiError } from '../../src/collector/errors.js';

type Reply = { status: number; body?: string; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script, and a sleep that records its waits instead of waiting. */
function scripted(replies: Reply[]): {
  fetch: FetchLike;
  calls: number;
  sleeps: number[];
  sleep: (ms: number) => Promise<void>;
} {
  const state = {
    calls: 0,
    sleeps: [] as number[],
    fetch: (async () => {
      const reply = replies[Math.min(state.calls, replies.length - 1)]!;
      state.calls++;
      if (reply instanceof Error) throw reply;
      return new Response(reply.body ?? '', { status: reply.status, headers: reply.headers ?? {} });
    }) as FetchLike,
    sleep: async (ms: number) => {
      state.sleeps.push(ms);
    },
  };
  return state;
}

const AF429 = JSON.stringify({
  error: {
    code: 'AF429',
    message: 'Too many requests. Method=GetBlob, PublisherId=00000000-0000-0000-0000-000000000000',
  },
});
const REQUEST = { method: 'GET' as const, url: 'http://127.0.0.1:1/x', what: 'test call' };

test('isThrottled: 429, and 403 only when the body names AF429', () => {
  assert.equal(isThrottled(429, ''), true);
  assert.equal(isThrottled(403, AF429), true);
  assert.equal(isThrottled(403, '{"error":{"code":"AF10001"}}'), false);
  assert.equal(isThrottled(500, AF429), false);
});

test('retryAfterMs reads delta-seconds and HTTP dates, and ignores junk', () => {
  const now = Date.parse('2026-03-02T08:00:00Z');
  assert.equal(retryAfterMs(new Headers({ 'Retry-After': '7' }), now), 7000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Mon, 02 Mar 2026 08:00:30 GMT' }), now), 30_000);
  assert.equal(retryAfterMs(new Headers({ 'Retry-After': 'soon' }), now), undefined);
  assert.equal(retryAfterMs(new Headers(), now), undefined);
});

test('a 403 AF429 with Retry-After is waited out for exactly that long, then the answer is returned', async () => {
  const s = scripted([
    { status: 403, body: AF429, headers: { 'Retry-After': '3' } },
    { status: 200, body: '[]' },
  ]);
  const notices: string[] = [];
  const http = new RetryingHttp({
    fetch: s.fetch,
    sleep: s.sleep,
    onRetry: (n) => notices.push(`${n.reason}:${n.status}:${n.delayMs}`),
  });
  const answer = await http.send(REQUEST);
  assert.equal(answer.status, 200);
  assert.deepEqual(s.sleeps, [3000]);
  assert.deepEqual(notices, ['throttled:403:3000']);
  assert.equal(http.retries, 1);
});

test('a plain 403 (no AF429) and a 400 are returned at once, not retried', async () => {
  for (const reply of [
    { status: 403, body: '{"error":{"code":"AF10001"}}' },
    { status: 400, body: '{}' },
  ]) {
    const s = scripted([reply, { status: 200 }]);
    const answer = await new RetryingHttp({ fetch: s.fetch, sleep: s.sleep }).send(REQUEST);
    assert.equal(answer.status, reply.status);
    assert.equal(s.calls, 1);
    assert.deepEqual(s.sleeps, []);
  }
});

test('without Retry-After the backoff doubles from the base delay (jitter pinned at its top)', async () => {
  const s = scripted([{ status: 503 }, { status: 500 }, { status: 429 }, { status: 200 }]);
  const http = new RetryingHttp({
    fetch: s.fetch,
    sleep: s.sleep,
    random: () => 0.999999,
    policy: { baseDelayMs: 100 },
  });
  assert.equal((await http.send(REQUEST)).status, 200);
  assert.deepEqual(s.sleeps, [100, 200, 400]);
});

test('jitter keeps each backoff between half and all of the exponential delay', async () => {
  const s = scripted([{ status: 503 }, { status: 503 }, { status: 200 }]);
  await new RetryingHttp({ fetch: s.fetch, sleep: s.sleep, random: () => 0, policy: { baseDelayMs: 1000 } }).send(
    REQUEST,
  );
  assert.deepEqual(s.sleeps, [500, 1000]);
});

test('network failures are retried; when attempts run out the error says network and the run resumes later', async () => {
  const s = scripted([new TypeError('fetch failed'), { status: 200, body: 'ok' }]);
  assert.equal((await new RetryingHttp({ fetch: s.fetch, sleep: s.sleep }).send(REQUEST)).text, 'ok');

  const always = scripted([new TypeError('fetch failed')]);
  await assert.rejects(
    new RetryingHttp({ fetch: always.fetch, sleep: always.sleep, policy: { maxAttemptsPerRequest: 3 } }).send(REQUEST),
    (error: unknown) =>
      error instanceof CollectorError && error.kind === 'network' && /gave up after 3 attempts/.test(error.message),
  );
  assert.equal(always.calls, 3);
});

test('persistent 5xx ends as a ManagementApiError naming the status', async () => {
  const s = scripted([{ status: 502 }]);
  await assert.rejects(
    new RetryingHttp({ fetch: s.fetch, sleep: s.sleep, policy: { maxAttemptsPerRequest: 2 } }).send(REQUEST),
    (error: unknown) => error instanceof ManagementApiError && error.status === 502 && /HTTP 502/.test(error.message),
  );
});

test('the retry budget is shared by all requests of a run: once spent, throttling ends the run as "throttled"', async () => {
  const s = scripted([
    { status: 429, headers: { 'Retry-After': '1' } },
    { status: 200 },
    { status: 429, headers: { 'Retry-After': '1' } },
    { status: 429 },
  ]);
  const http = new RetryingHttp({ fetch: s.fetch, sleep: s.sleep, policy: { runRetryBudget: 2 } });
  assert.equal((await http.send(REQUEST)).status, 200); // one retry spent
  await assert.rejects(
    http.send(REQUEST),
    (error: unknown) =>
      error instanceof CollectorError &&
      error.kind === 'throttled' &&
      /retry budget \(2\) is spent/.test(error.message) &&
      /next run continues/.test(error.message),
  );
  assert.equal(http.retries, 2);
  assert.deepEqual(s.sleeps, [1000, 1000]);
});

test('a Retry-After longer than a run may wait gives up at once instead of sleeping', async () => {
  const s = scripted([{ status: 403, body: AF429, headers: { 'Retry-After': '900' } }]);
  await assert.rejects(
    new RetryingHttp({ fetch: s.fetch, sleep: s.sleep, policy: { maxDelayMs: 60_000 } }).send(REQUEST),
    (error: unknown) =>
      error instanceof CollectorError && error.kind === 'throttled' && /asked to wait 900 s/.test(error.message),
  );
  assert.deepEqual(s.sleeps, []);
});

test('no wait may end past the deadline', async () => {
  const s = scripted([{ status: 429, headers: { 'Retry-After': '30' } }]);
  const now = 1_000_000;
  await assert.rejects(
    new RetryingHttp({ fetch: s.fetch, sleep: s.sleep, now: () => now, deadline: now + 10_000 }).send(REQUEST),
    (error: unknown) => error instanceof CollectorError && error.kind === 'throttled' && /deadline/.test(error.message),
  );
  const server = scripted([{ status: 500 }]);
  await assert.rejects(
    new RetryingHttp({
      fetch: server.fetch,
      sleep: server.sleep,
      now: () => now,
      deadline: now + 10,
      random: () => 0.5,
    }).send(REQUEST),
    (error: unknown) => error instanceof CollectorError && error.kind === 'deadline',
  );
  assert.deepEqual([...s.sleeps, ...server.sleeps], []);
});
