// Container, table and app-setting names. names.json is the single source: the code reads it
// here and infra/ reads it with loadJsonContent, so the two cannot drift apart.
import names from './names.json';

export const CONTAINERS = names.containers;
export const TABLES = names.tables;
export const SETTINGS = names.settings;
export const SETTING_DEFAULTS: Readonly<Record<string, string>> = names.settingDefaults;
export const CONFIG_BLOBS = names.configBlobs;

/** An app setting, or its default from names.json. */
export function setting(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  const fallback = SETTING_DEFAULTS[name];
  if (fallback === undefined) throw new Error(`Setting ${name} is not set and has no default`);
  return fallback;
}
