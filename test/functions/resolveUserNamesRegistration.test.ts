// resolveUserNames registers a timer on %GRAPH_NAMES_SCHEDULE%, captured the way the Node worker sees it
// (src/local/captureRegistrations); with the lookup off (the default) the captured handler logs so once and returns.
// Runs in its own process: nothing may load @azure/functions before the capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { captureRegistrations } from '../../src/local/captureRegistrations.js';
import names from '../../src/names.json';

test('resolveUserNames is a timer on GRAPH_NAMES_SCHEDULE, off unless GRAPH_NAMES=true', async () => {
  delete process.env['GRAPH_NAMES'];
  const root = join(__dirname, '..', '..', '..');
  const functions = await captureRegistrations({
    packageRoot: root,
    files: [join(root, 'dist', 'src', 'functions', 'resolveUserNames.js')],
  });
  const timer = functions.find((f) => f.name === 'resolveUserNames');
  assert.ok(timer, `registered: ${functions.map((f) => f.name).join(', ')}`);
  assert.equal(timer.trigger.type, 'timerTrigger');
  assert.equal(timer.trigger['schedule'], `%${names.settings.graphNamesSchedule}%`);
  assert.equal(
    names.settingDefaults[names.settings.graphNamesSchedule as keyof typeof names.settingDefaults],
    '0 30 */1 * * *',
  );
  const messages: string[] = [];
  for (let i = 0; i < 2; i++)
    await timer.invoke({ kind: 'timer', isPastDue: false }, { log: (entry) => messages.push(entry.message) });
  assert.equal(messages.length, 1, 'said once');
  assert.match(messages[0]!, /names from Microsoft Graph are off \(GRAPH_NAMES is not true\)/);
});
