// The blob trigger the code registers agrees with the templates: source EventGrid (the only one Flex Consumption
// runs), connection AzureWebJobsStorage (the identity-based settings' prefix), container from the app setting the
// template sets, and the function name the post-deploy webhook targets. Reads the compiled registration through
// src/local/captureRegistrations when it and dist/src/functions/ingestExport.js exist; otherwise parses
// src/functions/ingestExport.ts as text. Runs in its own process: nothing may load @azure/functions before capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, parseBicep } from './bicepParser.js';
import { Opaque, evaluate, modelOf } from './bicepModel.js';
import { appSettingsOf } from './infraLint.js';

const names = JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'names.json'), 'utf8')) as {
  settings: Record<string, string>;
  settingDefaults: Record<string, string>;
};

interface CapturedBindingLike {
  type: string;
  [property: string]: unknown;
}
interface CaptureModule {
  captureRegistrations: (options: {
    packageRoot?: string;
    files?: string[];
  }) => Promise<Array<{ name: string; trigger: CapturedBindingLike }>>;
}

test('ingestExport registers the blob trigger that the templates and the Event Grid webhook expect', async (t) => {
  const functionApp = modelOf(await parseBicep(join(REPO_ROOT, 'infra', 'modules', 'functionApp.bicep')));
  const subscription = modelOf(
    await parseBicep(join(REPO_ROOT, 'infra', 'post-deploy', 'eventGridSubscription.bicep')),
  );
  const appSettings = new Map<string, unknown>();
  for (const s of appSettingsOf(functionApp)) if (typeof s.name === 'string') appSettings.set(s.name, s.value);
  const webhookFunctionName = evaluate(subscription, subscription.params.get('functionName')!.defaultValue!);
  const templateSource = appSettings.get(names.settings['blobTriggerSource']!);
  assert.equal(templateSource, 'EventGrid', 'Flex Consumption runs blob triggers only with the EventGrid source');

  const capturePath = join(REPO_ROOT, 'dist', 'src', 'local', 'captureRegistrations.js');
  const compiledFunction = join(REPO_ROOT, 'dist', 'src', 'functions', 'ingestExport.js');
  const sourceFunction = join(REPO_ROOT, 'src', 'functions', 'ingestExport.ts');

  if (existsSync(capturePath) && existsSync(compiledFunction)) {
    t.diagnostic('reading the compiled registration through src/local/captureRegistrations');
    // The app settings as Azure would set them (deployment-time values fall back to the code's defaults).
    for (const [name, value] of appSettings) {
      if (typeof value === 'string') process.env[name] = value;
      else if (value instanceof Opaque && names.settingDefaults[name] !== undefined)
        process.env[name] = names.settingDefaults[name];
    }
    // A module that builds storage clients at import time can load; nothing is called.
    process.env[names.settings['storageConnection']!] ??= 'UseDevelopmentStorage=true';
    const { captureRegistrations } = require(capturePath) as CaptureModule;
    const functions = await captureRegistrations({ packageRoot: REPO_ROOT, files: [compiledFunction] });
    const blobFunctions = functions.filter((f) => f.trigger.type === 'blobTrigger');
    assert.equal(
      blobFunctions.length,
      1,
      `one blob-triggered function, found ${functions.map((f) => `${f.name}:${f.trigger.type}`).join(', ')}`,
    );
    const [ingest] = blobFunctions as [(typeof blobFunctions)[number]];
    assert.equal(ingest.name, webhookFunctionName, 'the webhook URL names Host.Functions.<registered name>');
    assert.equal(ingest.trigger['source'], templateSource);
    assert.equal(ingest.trigger['connection'], names.settings['storageConnection']);
    const path = String(ingest.trigger['path']);
    const referenced = [...path.matchAll(/%([^%]+)%/g)].map((m) => m[1]!);
    assert.deepEqual(
      referenced,
      [names.settings['exportsContainer']],
      `path ${path} takes its container from the app setting`,
    );
    for (const setting of referenced)
      assert.ok(appSettings.has(setting), `the template sets ${setting}, which the trigger path reads`);
    return;
  }

  if (!existsSync(sourceFunction)) {
    t.skip(
      'src/functions/ingestExport.ts does not exist yet: the registration could not be compared with the templates',
    );
    return;
  }
  t.diagnostic(
    'captureRegistrations or dist/src/functions/ingestExport.js is missing: parsing src/functions/ingestExport.ts as text',
  );
  const text = readFileSync(sourceFunction, 'utf8');
  assert.match(text, new RegExp(`app\\.storageBlob\\(\\s*['"]${webhookFunctionName as string}['"]`));
  assert.match(
    text,
    /SETTINGS\.blobTriggerSource|EXPORTS_TRIGGER_SOURCE/,
    'the source comes from the app setting the template sets',
  );
  assert.match(text, /SETTINGS\.storageConnection|['"]AzureWebJobsStorage['"]/);
});
