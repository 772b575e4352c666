// purgeLogAnalytics registers a timer on %LOG_ANALYTICS_PURGE_SCHEDULE%, captured the way the Node worker sees it
// (src/local/captureRegistrations); without the purge settings (the default locally) a run does nothing.
// Runs in its own process: nothing may load @azure/functions before the capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { captureRegistrations } from '../../src/local/captureRegistrations.js';
import names from '../../src/names.json';

test('purgeLogAnalytics is an hourly timer on LOG_ANALYTICS_PURGE_SCHEDULE, idle while the purge is off', async () => {
  delete process.env[names.settings.logAnalyticsPurgeWorkspaceId];
  const root = join(__dirname, '..', '..', '..');
  const functions = await captureRegistrations({
    packageRoot: root,
    files: [join(root, 'dist', 'src', 'functions', 'purgeLogAnalytics.js')],
  });
  const timer = functions.find((f) => f.name === 'purgeLogAnalytics');
  assert.ok(timer, `registered: ${functions.map((f) => f.name).join(', ')}`);
  assert.equal(timer.trigger.type, 'timerTrigger');
  assert.equal(timer.trigger['schedule'], `%${names.settings.logAnalyticsPurgeSchedule}%`);
  assert.equal(
    names.settingDefaults[names.settings.logAnalyticsPurgeSchedule as keyof typeof names.settingDefaults],
    '0 45 */1 * * *',
  );
  const messages: string[] = [];
  await timer.invoke({ kind: 'timer', isPastDue: false }, { log: (entry) => messages.push(entry.message) });
  assert.deepEqual(messages, [], 'nothing to do, nothing logged');
});
