// Lint rules over the parsed Bicep templates: parameters file vs declarations, module paths, app settings (Flex
// Consumption, identity-only, no secrets), list* key calls, role assignments and their GUIDs, and names that must
// come from src/names.json. Each rule returns human-readable problems; an empty list means the rule holds.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { listBicepFiles, locate, parseBicep } from './bicepParser.js';
import {
  Opaque,
  evaluate,
  literalString,
  modelOf,
  objectProperty,
  propertyAt,
  resourceBySymbol,
  significantChildren,
  type BicepModel,
  type ResourceDecl,
  type Value,
} from './bicepModel.js';

/** App settings that Flex Consumption rejects (Microsoft's functions-app-settings reference, "Flex Consumption plan deprecations"). */
export const FLEX_REJECTED_SETTINGS: readonly string[] = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
];

/**
 * siteConfig properties that Flex Consumption sites refuse (ARM error 51021, enforced region by region): they belong to
 * the plans with a worker process of their own, and FTP does not exist on Flex.
 */
export const FLEX_REJECTED_SITE_CONFIG: readonly string[] = [
  'ftpsState',
  'linuxFxVersion',
  'netFrameworkVersion',
  'use32BitWorkerProcess',
  'functionsRuntimeScaleMonitoringEnabled',
  'javaVersion',
  'powerShellVersion',
];

// ---------- parameters ----------

interface ParametersFile {
  parameters?: Record<string, unknown>;
}

/** Every parameter in the parameters file is declared; every parameter without a default is supplied. */
export function checkParametersFile(main: BicepModel, parametersFile: unknown, parametersPath: string): string[] {
  const problems: string[] = [];
  const supplied = (parametersFile as ParametersFile | null)?.parameters;
  if (!supplied || typeof supplied !== 'object') return [`${parametersPath}: no "parameters" object`];
  for (const name of Object.keys(supplied)) {
    if (!main.params.has(name))
      problems.push(`${parametersPath}: parameter "${name}" is not declared in ${main.source.displayPath}`);
  }
  for (const param of main.params.values()) {
    if (param.defaultValue === null && !(param.name in supplied)) {
      problems.push(
        `${locate(main.source, param.node)}: required parameter "${param.name}" is not supplied by ${parametersPath}`,
      );
    }
  }
  return problems;
}

// ---------- modules ----------

/** Module references are local files that exist (no registry modules, which cannot be restored offline). */
export function checkModulePaths(model: BicepModel): string[] {
  const problems: string[] = [];
  for (const module of model.modules) {
    if (/^(br|ts)[:/]/.test(module.path)) {
      problems.push(
        `${locate(model.source, module.node)}: module ${module.symbol} uses registry reference "${module.path}"`,
      );
      continue;
    }
    const target = resolve(dirname(model.source.path), module.path);
    if (!existsSync(target))
      problems.push(
        `${locate(model.source, module.node)}: module ${module.symbol} path "${module.path}" does not exist`,
      );
  }
  return problems;
}

// ---------- app settings ----------

export interface AppSetting {
  /** Resolved name (names are compile-time in our templates; an Opaque name is reported by the checks). */
  readonly name: string | Opaque;
  readonly value: Value;
  /** Source text of the value expression. */
  readonly valueText: string;
  readonly where: string;
}

/**
 * App settings of every Microsoft.Web/sites resource in the model: `properties.siteConfig.appSettings` ({name, value}
 * array) and Microsoft.Web/sites/config 'appsettings' resources (an object).
 */
export function appSettingsOf(model: BicepModel): AppSetting[] {
  const out: AppSetting[] = [];
  const fromArray = (array: Node): void => {
    const items = array.type === 'identifier' ? model.vars.get(array.text) : array;
    if (!items || items.type !== 'array') {
      out.push({
        name: new Opaque(array.text),
        value: new Opaque(array.text),
        valueText: array.text,
        where: locate(model.source, array),
      });
      return;
    }
    for (const item of significantChildren(items)) {
      const nameNode = item.type === 'object' ? objectProperty(item, 'name') : null;
      const valueNode = item.type === 'object' ? objectProperty(item, 'value') : null;
      const name = nameNode ? evaluate(model, nameNode) : new Opaque(item.text);
      out.push({
        name: typeof name === 'string' ? name : new Opaque(nameNode?.text ?? item.text),
        value: valueNode ? evaluate(model, valueNode) : null,
        valueText: valueNode?.text ?? '',
        where: locate(model.source, item),
      });
    }
  };
  for (const resource of model.resources) {
    if (resource.type === 'Microsoft.Web/sites' && !resource.existing) {
      const array = propertyAt(resource.body, 'properties.siteConfig.appSettings');
      if (array) fromArray(array);
    }
    if (resource.type === 'Microsoft.Web/sites/config') {
      const nameNode = objectProperty(resource.body, 'name');
      if (nameNode && evaluate(model, nameNode) === 'appsettings') {
        const properties = objectProperty(resource.body, 'properties');
        const object = properties?.type === 'identifier' ? model.vars.get(properties.text) : properties;
        for (const property of object ? significantChildren(object) : []) {
          if (property.type !== 'object_property') continue;
          const children = significantChildren(property);
          const keyNode = children[0]!;
          const key = keyNode.type === 'string' ? evaluate(model, keyNode) : keyNode.text;
          const valueNode = children[children.length - 1]!;
          out.push({
            name: typeof key === 'string' ? key : new Opaque(keyNode.text),
            value: evaluate(model, valueNode),
            valueText: valueNode.text,
            where: locate(model.source, property),
          });
        }
      }
    }
  }
  return out;
}

/** None of the settings Flex Consumption rejects; every name resolvable at compile time. */
export function checkFlexSettings(settings: readonly AppSetting[]): string[] {
  const problems: string[] = [];
  for (const setting of settings) {
    if (setting.name instanceof Opaque) {
      problems.push(`${setting.where}: app setting name "${setting.name.text}" cannot be resolved at compile time`);
    } else if (FLEX_REJECTED_SETTINGS.includes(setting.name.toUpperCase())) {
      problems.push(`${setting.where}: ${setting.name} is rejected by Flex Consumption`);
    }
  }
  return problems;
}

const SECRET_VALUE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/AccountKey\s*=/i, 'an account key'],
  [/SharedAccessSignature\s*=|[?&]sig=/i, 'a SAS token'],
  [/DefaultEndpointsProtocol\s*=/i, 'a storage connection string'],
  [/\blist\w*\s*\(|\.list\w*\s*\(/i, 'a list* (keys / SAS / connection strings) call'],
  [/InstrumentationKey\s*=/i, 'an instrumentation key'],
];

/** The only connection-string setting allowed: App Insights' (it carries no credential when local auth is off). */
export const ALLOWED_CONNECTION_STRING_SETTINGS: readonly string[] = ['APPLICATIONINSIGHTS_CONNECTION_STRING'];

/** No connection string, account key, SAS or list* call in app settings (values checked by source text). */
export function checkNoSecretSettings(settings: readonly AppSetting[], storageConnection: string): string[] {
  const problems: string[] = [];
  for (const setting of settings) {
    const name = setting.name instanceof Opaque ? setting.name.text : setting.name;
    if (/connection_?string/i.test(name) && !ALLOWED_CONNECTION_STRING_SETTINGS.includes(name)) {
      problems.push(`${setting.where}: ${name} is a connection-string setting; use identity-based settings`);
    }
    if (name === storageConnection) {
      problems.push(
        `${setting.where}: ${name} set directly holds a connection string; use ${name}__blobServiceUri etc.`,
      );
    }
    const texts = [setting.valueText, typeof setting.value === 'string' ? setting.value : ''];
    for (const [pattern, what] of SECRET_VALUE_PATTERNS) {
      if (texts.some((t) => pattern.test(t))) problems.push(`${setting.where}: ${name} contains ${what}`);
    }
  }
  return problems;
}

/** The identity-based settings the host and src/storage/clients.ts read for a user-assigned identity. */
export function checkIdentityBasedStorage(settings: readonly AppSetting[], storageConnection: string): string[] {
  const problems: string[] = [];
  const byName = new Map(settings.filter((s) => typeof s.name === 'string').map((s) => [s.name as string, s]));
  for (const service of ['blob', 'queue', 'table']) {
    const setting = byName.get(`${storageConnection}__${service}ServiceUri`);
    if (!setting) {
      problems.push(`missing app setting ${storageConnection}__${service}ServiceUri`);
    } else if (!/^'https:\/\//.test(setting.valueText) || !setting.valueText.includes(`.${service}.`)) {
      problems.push(
        `${setting.where}: ${storageConnection}__${service}ServiceUri should be https://<account>.${service}.<suffix>, is ${setting.valueText}`,
      );
    }
  }
  const credential = byName.get(`${storageConnection}__credential`);
  if (credential?.value !== 'managedidentity')
    problems.push(`${storageConnection}__credential must be 'managedidentity'`);
  const clientId = byName.get(`${storageConnection}__clientId`);
  if (!clientId || !/\.properties\.clientId$/.test(clientId.valueText)) {
    problems.push(`${storageConnection}__clientId must be the user-assigned identity's clientId`);
  }
  const aiAuth = byName.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
  if (!aiAuth || !/^'ClientId=\$\{[^}]*\.properties\.clientId\};Authorization=AAD'$/.test(aiAuth.valueText)) {
    problems.push(`APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be 'ClientId=<identity clientId>;Authorization=AAD'`);
  }
  return problems;
}

// ---------- list* calls (keys, SAS, connection strings) ----------

export interface ListCall {
  readonly where: string;
  /** listKeys, listAccountSas, … */
  readonly fn: string;
  /** The resource the function is called on (symbol.listKeys()), if any. */
  readonly target: ResourceDecl | undefined;
  /** For the listKeys('<id>', '<version>') form: the id argument's text. */
  readonly idArgument: string | undefined;
  readonly node: Node;
}

/** Every call to a list* resource function in a file, in either form. */
export function listCalls(model: BicepModel): ListCall[] {
  const out: ListCall[] = [];
  for (const call of model.source.root.descendantsOfType('call_expression')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    if (!fn) continue;
    if (fn.type === 'identifier' && /^list/.test(fn.text)) {
      const first = significantChildren(call.childForFieldName('arguments')!)[0];
      out.push({
        where: locate(model.source, call),
        fn: fn.text,
        target: undefined,
        idArgument: first?.text,
        node: call,
      });
    } else if (fn.type === 'member_expression') {
      const property = fn.childForFieldName('property')?.text ?? '';
      const object = fn.childForFieldName('object');
      if (/^list/.test(property)) {
        const target = object?.type === 'identifier' ? resourceBySymbol(model, object.text) : undefined;
        out.push({ where: locate(model.source, call), fn: property, target, idArgument: undefined, node: call });
      }
    }
  }
  return out;
}

// ---------- role assignments ----------

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every GUID-shaped literal in a file's strings, with its location. */
export function guidLiterals(model: BicepModel): Array<{ guid: string; where: string }> {
  const out: Array<{ guid: string; where: string }> = [];
  for (const content of model.source.root.descendantsOfType('string_content')) {
    if (!content) continue;
    for (const match of content.text.matchAll(GUID))
      out.push({ guid: match[0].toLowerCase(), where: locate(model.source, content) });
  }
  return out;
}

export interface RoleAssignment {
  readonly symbol: string;
  readonly where: string;
  /** Role definition GUID (from subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <id>)), or Opaque. */
  readonly roleId: Value;
  /** The text of properties.principalId. */
  readonly principal: string;
  readonly principalType: Value;
  /** The resource the assignment is scoped to (by `scope: <symbol>`), or undefined (deployment scope). */
  readonly scope: ResourceDecl | undefined;
  readonly conditional: boolean;
  /** Problems with the assignment's form (name = guid(scope id, principal, role), roleDefinitionId form). */
  readonly formProblems: readonly string[];
}

/** Reads every Microsoft.Authorization/roleAssignments resource and checks its form. */
export function roleAssignmentsOf(model: BicepModel): RoleAssignment[] {
  const out: RoleAssignment[] = [];
  for (const resource of model.resources) {
    if (resource.type !== 'Microsoft.Authorization/roleAssignments' || resource.existing) continue;
    const where = locate(model.source, resource.node);
    const formProblems: string[] = [];
    const properties = objectProperty(resource.body, 'properties');
    const principalNode = properties ? objectProperty(properties, 'principalId') : null;
    const principal = principalNode?.text ?? '';
    const principalTypeNode = properties ? objectProperty(properties, 'principalType') : null;
    const scopeNode = objectProperty(resource.body, 'scope');
    const scope = scopeNode?.type === 'identifier' ? resourceBySymbol(model, scopeNode.text) : undefined;

    let roleId: Value = new Opaque('');
    const roleDefinition = properties ? objectProperty(properties, 'roleDefinitionId') : null;
    const roleArgs =
      roleDefinition?.type === 'call_expression' &&
      roleDefinition.childForFieldName('function')?.text === 'subscriptionResourceId'
        ? significantChildren(roleDefinition.childForFieldName('arguments')!)
        : [];
    if (
      roleArgs.length === 2 &&
      roleArgs[0]!.type === 'string' &&
      literalString(roleArgs[0]!) === 'Microsoft.Authorization/roleDefinitions'
    ) {
      roleId = evaluate(model, roleArgs[1]!);
    } else {
      formProblems.push(
        `${where}: roleDefinitionId should be subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <role id>)`,
      );
    }

    const nameNode = objectProperty(resource.body, 'name');
    const guidArgs =
      nameNode?.type === 'call_expression' && nameNode.childForFieldName('function')?.text === 'guid'
        ? significantChildren(nameNode.childForFieldName('arguments')!)
        : [];
    if (guidArgs.length !== 3) {
      formProblems.push(`${where}: name should be guid(<scope>.id, <principal>, <role id>)`);
    } else {
      const [scopeArg, principalArg, roleArg] = guidArgs;
      if (!scopeNode || scopeArg!.text !== `${scopeNode.text}.id`) {
        formProblems.push(
          `${where}: guid() should start with the scope's id (${scopeNode?.text ?? '<no scope>'}.id), has ${scopeArg!.text}`,
        );
      }
      if (principalArg!.text !== principal) {
        formProblems.push(`${where}: guid() should use the principal ${principal}, has ${principalArg!.text}`);
      }
      const roleValue = evaluate(model, roleArg!);
      if (roleValue instanceof Opaque || roleValue !== roleId) {
        formProblems.push(`${where}: guid() should use the assigned role id, has ${roleArg!.text}`);
      }
    }
    out.push({
      symbol: resource.symbol,
      where,
      roleId,
      principal,
      principalType: principalTypeNode ? evaluate(model, principalTypeNode) : null,
      scope,
      conditional: resource.condition !== null,
      formProblems,
    });
  }
  return out;
}

// ---------- names from src/names.json ----------

/** Every container, table and setting name in names.json. */
export function namesToProtect(names: {
  containers: Record<string, string>;
  tables: Record<string, string>;
  settings: Record<string, string>;
}): { tokens: Set<string>; settings: Set<string> } {
  return {
    tokens: new Set([...Object.values(names.containers), ...Object.values(names.tables)]),
    settings: new Set(Object.values(names.settings)),
  };
}

function insideDecorator(node: Node): boolean {
  for (let n: Node | null = node.parent; n; n = n.parent) if (n.type === 'decorator') return true;
  return false;
}

/**
 * String literals (outside @description and other decorators) that spell a names.json name: a container or table
 * name as a whole token (letters, digits, dashes), or a setting name anywhere inside the text.
 */
export function hardCodedNames(
  model: BicepModel,
  protectedNames: { tokens: Set<string>; settings: Set<string> },
): string[] {
  const problems: string[] = [];
  for (const content of model.source.root.descendantsOfType('string_content')) {
    if (!content || insideDecorator(content)) continue;
    for (const token of content.text.split(/[^A-Za-z0-9-]+/)) {
      if (protectedNames.tokens.has(token)) {
        problems.push(
          `${locate(model.source, content)}: "${token}" is a names.json container/table name; read it from names.json`,
        );
      }
    }
    for (const setting of protectedNames.settings) {
      if (content.text.includes(setting)) {
        problems.push(
          `${locate(model.source, content)}: "${setting}" is a names.json setting name; read it from names.json`,
        );
      }
    }
  }
  return problems;
}

/** Problems with the outputs of a file: secrets-looking names, list* calls, connection strings or keys in values. */
export function checkOutputs(model: BicepModel): string[] {
  const problems: string[] = [];
  for (const output of model.outputs) {
    const where = locate(model.source, output.node);
    if (/key|secret|password|connectionstring|sas/i.test(output.name))
      problems.push(`${where}: output ${output.name} looks like a secret`);
    if (
      /\blist\w*\s*\(|\.list\w*\s*\(|ConnectionString|InstrumentationKey|primaryKey|secondaryKey/i.test(
        output.value.text,
      )
    ) {
      problems.push(`${where}: output ${output.name} exposes a key or connection string (${output.value.text})`);
    }
  }
  return problems;
}

/** Parameters whose names suggest a secret must have no default and be @secure(). */
export function checkSecretParameters(model: BicepModel): string[] {
  const problems: string[] = [];
  for (const param of model.params.values()) {
    if (!/key|secret|password|token|connectionstring/i.test(param.name)) continue;
    if (param.defaultValue !== null)
      problems.push(`${locate(model.source, param.node)}: parameter ${param.name} has a default value`);
    if (!param.decorators.includes('secure'))
      problems.push(`${locate(model.source, param.node)}: parameter ${param.name} is not @secure()`);
  }
  return problems;
}

/** Parses and models every .bicep file under `dir`, keyed by display path (e.g. `infra/main.bicep`). */
export async function loadTemplates(dir: string): Promise<Map<string, BicepModel>> {
  const out = new Map<string, BicepModel>();
  for (const file of listBicepFiles(dir)) {
    const source = await parseBicep(file);
    out.set(source.displayPath, modelOf(source));
  }
  return out;
}
