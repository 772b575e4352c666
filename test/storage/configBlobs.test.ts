import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_VERSION } from '../../src/analysis/model.js';
import { configFingerprint } from '../../src/storage/configBlobs.js';
import { CONFIG_BLOBS } from '../../src/names.js';
import { freshStore } from './testStore.js';

test('the config fingerprint follows the site map, rules and parameters, not the users file', async () => {
  const store = await freshStore('cfp');
  const none = (await store.config.load()).fingerprint;
  assert.match(none, /^[0-9a-f]{64}$/);
  assert.equal((await store.config.load()).fingerprint, none, 'deterministic');
  assert.equal(
    none,
    configFingerprint({ siteMap: undefined, classificationRules: undefined, detectionParams: undefined }),
  );

  await store.config.upload(CONFIG_BLOBS.users, 'oid-a,a@contoso.com\n');
  assert.equal((await store.config.load()).fingerprint, none);

  const seen = new Set([none]);
  await store.config.upload(CONFIG_BLOBS.siteMap, '10.57.0.0,HQ,16\n');
  seen.add((await store.config.load()).fingerprint);
  await store.config.upload(CONFIG_BLOBS.classificationRules, '{"participant":[],"platform":[]}');
  seen.add((await store.config.load()).fingerprint);
  await store.config.upload(CONFIG_BLOBS.detectionParams, '{"strongGapSeconds": 45}');
  seen.add((await store.config.load()).fingerprint);
  // An invalid file counts too (the analysis falls back to defaults for it, which may change results).
  await store.config.upload(CONFIG_BLOBS.detectionParams, '{"strongGapSeconds": "soon"}');
  const invalid = await store.config.load();
  assert.equal(invalid.problems.length, 1);
  seen.add(invalid.fingerprint);
  assert.equal(seen.size, 5);

  // An empty file is not an absent one, and the same text in another file is another config.
  assert.notEqual(
    configFingerprint({ siteMap: '', classificationRules: undefined, detectionParams: undefined }),
    configFingerprint({ siteMap: undefined, classificationRules: undefined, detectionParams: undefined }),
  );
  assert.notEqual(
    configFingerprint({ siteMap: '{}', classificationRules: undefined, detectionParams: undefined }),
    configFingerprint({ siteMap: undefined, classificationRules: undefined, detectionParams: '{}' }),
  );
  // A new analysis version (a change to the detector itself) is another config too.
  const texts = { siteMap: undefined, classificationRules: undefined, detectionParams: undefined };
  assert.equal(configFingerprint(texts, ANALYSIS_VERSION), none);
  assert.notEqual(configFingerprint(texts, ANALYSIS_VERSION + 1), none);
});
