// The set-up of the tests of the real templates under infra/: every template parsed once per test file,
// and the setting names of src/names.json (which the templates read with loadJsonContent).
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';
import type { BicepModel } from './bicepModel.js';
import { loadTemplates } from './infraLint.js';

/** src/names.json, which the templates load. */
export const NAMES_PATH = join(REPO_ROOT, 'src', 'names.json');

/** src/names.json's containers, tables, app settings and the settings' defaults. */
export const NAMES = JSON.parse(readFileSync(NAMES_PATH, 'utf8')) as {
  containers: Record<string, string>;
  tables: Record<string, string>;
  settings: Record<string, string>;
  settingDefaults: Record<string, string>;
};

export interface InfraTemplates {
  /** The template at a repository path (e.g. `infra/main.bicep`); fails the test when there is none. */
  template: (path: string) => BicepModel;
  /** Every template under infra/. */
  all: () => BicepModel[];
}

/** Parses the templates under infra/ in a `before` hook of the calling test file. */
export function useInfraTemplates(): InfraTemplates {
  let templates: Map<string, BicepModel> | undefined;
  before(async () => {
    templates = await loadTemplates(join(REPO_ROOT, 'infra'));
  });
  const loaded = (): Map<string, BicepModel> => {
    assert.ok(templates, 'the templates are parsed before the tests run');
    return templates;
  };
  return {
    template: (path) => {
      const model = loaded().get(path);
      assert.ok(model, `${path} is missing`);
      return model;
    },
    all: () => [...loaded().values()],
  };
}
