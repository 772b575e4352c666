// The export's settings: off unless both the endpoint and the rule id are set; wrong values refused with a message
// that says what to set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLogAnalyticsSettings } from '../../../src/pipeline/logAnalytics/exportService.js';

const ENDPOINT = 'https://dcr-x.westeurope-1.ingest.monitor.azure.com';
const RULE = 'dcr-00112233445566778899aabbccddeeff';

test('the export is off without settings and on with both, user ids included by default', () => {
  assert.equal(readLogAnalyticsSettings({}), undefined);
  assert.deepEqual(readLogAnalyticsSettings({ LOGS_INGESTION_ENDPOINT: ENDPOINT, LOGS_INGESTION_RULE_ID: RULE }), {
    endpoint: ENDPOINT,
    ruleId: RULE,
    includeUserIds: true,
  });
  assert.deepEqual(
    readLogAnalyticsSettings({
      LOGS_INGESTION_ENDPOINT: ENDPOINT,
      LOGS_INGESTION_RULE_ID: RULE,
      LOGS_INGESTION_USER_IDS: 'omit',
      LOGS_INGESTION_CLIENT_ID: 'c1',
    }),
    { endpoint: ENDPOINT, ruleId: RULE, includeUserIds: false, clientId: 'c1' },
  );
});

test('half a configuration, a rule name instead of its immutable id, http or an unknown mode are refused', () => {
  assert.throws(
    () => readLogAnalyticsSettings({ LOGS_INGESTION_ENDPOINT: ENDPOINT }),
    /needs both LOGS_INGESTION_ENDPOINT and LOGS_INGESTION_RULE_ID; only LOGS_INGESTION_ENDPOINT is set/,
  );
  assert.throws(
    () => readLogAnalyticsSettings({ LOGS_INGESTION_ENDPOINT: ENDPOINT, LOGS_INGESTION_RULE_ID: 'dcr-myrule' }),
    /immutable id \(dcr- and 32 hex digits\)/,
  );
  assert.throws(
    () => readLogAnalyticsSettings({ LOGS_INGESTION_ENDPOINT: 'http://x', LOGS_INGESTION_RULE_ID: RULE }),
    /must be an https:\/\/ URL/,
  );
  assert.throws(
    () => readLogAnalyticsSettings({ LOGS_INGESTION_ENDPOINT: 'not a url', LOGS_INGESTION_RULE_ID: RULE }),
    /is not a URL/,
  );
  assert.throws(
    () =>
      readLogAnalyticsSettings({
        LOGS_INGESTION_ENDPOINT: ENDPOINT,
        LOGS_INGESTION_RULE_ID: RULE,
        LOGS_INGESTION_USER_IDS: 'hash',
      }),
    /must be include or omit, got "hash"/,
  );
});
