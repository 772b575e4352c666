// collectAuditRecords registers a timer on %COLLECTOR_SCHEDULE%, captured the way the Node worker sees it
// (src/local/captureRegistrations), and the captured handler runs and returns at once when unconfigured.
// Runs in its own process: nothing may load @azure/functions before the capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { captureRegistrations } from '../../src/local/captureRegistrations.js';
import names from '../../src/names.json';

test('collectAuditRecords is a timer on the COLLECTOR_SCHEDULE app setting', async () => {
  for (const name of ['O365_TENANT_ID', 'O365_CLIENT_ID', 'O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE'])
    delete process.env[name];
  const root = join(__dirname, '..', '..', '..');
  const functions = await captureRegistrations({
    packageRoot: root,
    files: [join(root, 'dist', 'src', 'functions', 'collectAuditRecords.js')],
  });
  const collector = functions.find((f) => f.name === 'collectAuditRecords');
  assert.ok(collector, `registered: ${functions.map((f) => f.name).join(', ')}`);
  assert.equal(collector.trigger.type, 'timerTrigger');
  assert.equal(collector.trigger['schedule'], `%${names.settings.collectorSchedule}%`);
  assert.equal(
    names.settingDefaults[names.settings.collectorSchedule as keyof typeof names.settingDefaults],
    '0 0 */1 * * *',
  );
  const messages: string[] = [];
  await collector.invoke({ kind: 'timer', isPastDue: false }, { log: (entry) => messages.push(entry.message) });
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /not configured/);
});
