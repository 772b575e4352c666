// A read-only model of one parsed Bicep file (params, vars, resources, modules, outputs) and a small evaluator for
// the compile-time part of its expressions (literals, interpolation, vars, loadJsonContent, items, member access).
// Anything that depends on deployment-time values evaluates to an Opaque holding its source text.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { BicepSource } from './bicepParser.js';

/** A value known only at deployment time (a parameter, a resource property, a runtime function). */
export class Opaque {
  constructor(readonly text: string) {}
  toString(): string {
    return `<${this.text}>`;
  }
}

export type Value = string | number | boolean | null | Opaque | Value[] | { [key: string]: Value };

export interface ParamDecl {
  readonly name: string;
  readonly type: string;
  /** The default value expression, or null when the parameter is required. */
  readonly defaultValue: Node | null;
  /** Decorator names (`secure`, `allowed`, …). */
  readonly decorators: readonly string[];
  readonly node: Node;
}

export interface ResourceDecl {
  readonly symbol: string;
  /** e.g. `Microsoft.Web/sites`. */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The `if (...)` condition, or null. */
  readonly condition: Node | null;
  /** The `for x in ...` loop, or null. */
  readonly loop: { readonly variable: string; readonly iterable: Node } | null;
  /** The body object. */
  readonly body: Node;
  readonly node: Node;
}

export interface ModuleDecl {
  readonly symbol: string;
  readonly path: string;
  readonly body: Node;
  readonly node: Node;
}

export interface OutputDecl {
  readonly name: string;
  readonly value: Node;
  readonly node: Node;
}

export interface BicepModel {
  readonly source: BicepSource;
  readonly targetScope: string;
  readonly params: ReadonlyMap<string, ParamDecl>;
  readonly vars: ReadonlyMap<string, Node>;
  readonly resources: readonly ResourceDecl[];
  readonly modules: readonly ModuleDecl[];
  readonly outputs: readonly OutputDecl[];
}

const COMMENT_TYPES = new Set(['comment', 'diagnostic_comment']);

/** Named children without comments. */
export function significantChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && !COMMENT_TYPES.has(c.type));
}

function firstOfType(node: Node, type: string): Node | null {
  return significantChildren(node).find((c) => c.type === type) ?? null;
}

/** The text of a string literal without interpolation; throws on anything else. */
export function literalString(node: Node): string {
  if (node.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) {
    throw new Error(`expected a plain string literal, got ${node.type} "${node.text}"`);
  }
  return decodeStringParts(node, () => {
    throw new Error('unreachable');
  });
}

function decodeEscape(text: string): string {
  switch (text) {
    case "\\'":
      return "'";
    case '\\\\':
      return '\\';
    case '\\n':
      return '\n';
    case '\\r':
      return '\r';
    case '\\t':
      return '\t';
    case '\\$':
      return '$';
    default: {
      const unicode = /^\\u\{([0-9a-fA-F]+)\}$/.exec(text);
      return unicode?.[1] ? String.fromCodePoint(parseInt(unicode[1], 16)) : text;
    }
  }
}

function decodeStringParts(node: Node, interpolate: (expr: Node) => string | Opaque): string {
  let out = '';
  let opaque = false;
  for (const part of node.namedChildren) {
    if (!part) continue;
    if (part.type === 'string_content') out += part.text;
    else if (part.type === 'escape_sequence') out += decodeEscape(part.text);
    else if (part.type === 'interpolation') {
      const inner = significantChildren(part)[0];
      const value = inner ? interpolate(inner) : new Opaque(part.text);
      if (value instanceof Opaque) opaque = true;
      else out += value;
    }
  }
  if (opaque) throw new OpaqueString();
  return out;
}

class OpaqueString extends Error {}

function decoratorNames(node: Node): string[] {
  const previous = node.previousNamedSibling;
  if (!previous || previous.type !== 'decorators') return [];
  return significantChildren(previous).map((decorator) => {
    const call = firstOfType(decorator, 'call_expression');
    return call?.childForFieldName('function')?.text ?? decorator.text;
  });
}

/** Builds the model of a parsed file. */
export function modelOf(source: BicepSource): BicepModel {
  const params = new Map<string, ParamDecl>();
  const vars = new Map<string, Node>();
  const resources: ResourceDecl[] = [];
  const modules: ModuleDecl[] = [];
  const outputs: OutputDecl[] = [];
  let targetScope = 'resourceGroup';

  for (const statement of significantChildren(source.root)) {
    const parts = significantChildren(statement);
    switch (statement.type) {
      case 'target_scope_assignment':
        targetScope = literalString(parts[0]!);
        break;
      case 'parameter_declaration': {
        const [name, type, defaultValue] = parts;
        params.set(name!.text, {
          name: name!.text,
          type: type?.text ?? '',
          defaultValue: defaultValue ?? null,
          decorators: decoratorNames(statement),
          node: statement,
        });
        break;
      }
      case 'variable_declaration': {
        const [name, value] = parts;
        vars.set(name!.text, value!);
        break;
      }
      case 'resource_declaration': {
        const [symbol, typeNode, rest] = parts;
        const [type, apiVersion] = literalString(typeNode!).split('@');
        const existing = statement.children.some((c) => c?.type === 'existing');
        let condition: Node | null = null;
        let loop: ResourceDecl['loop'] = null;
        let body: Node | null = null;
        if (rest?.type === 'object') body = rest;
        else if (rest?.type === 'if_statement') {
          const [parenthesized, object] = significantChildren(rest);
          condition = parenthesized ?? null;
          body = object ?? null;
        } else if (rest?.type === 'for_statement') {
          const variable = rest.childForFieldName('initializer');
          const bodyNode = rest.childForFieldName('body');
          const iterable = significantChildren(rest).find((c) => c.id !== variable?.id && c.id !== bodyNode?.id);
          if (variable && iterable) loop = { variable: variable.text, iterable };
          body = bodyNode?.type === 'object' ? bodyNode : null;
        }
        if (!body)
          throw new Error(`${source.displayPath}: resource ${symbol!.text} has a body this model does not read`);
        resources.push({
          symbol: symbol!.text,
          type: type!,
          apiVersion: apiVersion ?? '',
          existing,
          condition,
          loop,
          body,
          node: statement,
        });
        break;
      }
      case 'module_declaration': {
        const [symbol, pathNode] = parts;
        const body = parts.find((p) => p.type === 'object') ?? null;
        if (!body) throw new Error(`${source.displayPath}: module ${symbol!.text} has a body this model does not read`);
        modules.push({ symbol: symbol!.text, path: literalString(pathNode!), body, node: statement });
        break;
      }
      case 'output_declaration': {
        const name = parts[0]!;
        outputs.push({ name: name.text, value: parts[parts.length - 1]!, node: statement });
        break;
      }
      default:
        break;
    }
  }
  return { source, targetScope, params, vars, resources, modules, outputs };
}

/** The key of an object property (identifier or quoted string). */
export function propertyKey(property: Node, evaluateKey?: (node: Node) => Value): string {
  const key = significantChildren(property)[0]!;
  if (key.type === 'string') {
    const value = evaluateKey ? evaluateKey(key) : literalString(key);
    return value instanceof Opaque ? value.text : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return key.text;
}

/** The value expression of `key` in an object node, or null. */
export function objectProperty(object: Node, key: string): Node | null {
  for (const property of significantChildren(object)) {
    if (property.type !== 'object_property') continue;
    const children = significantChildren(property);
    const keyNode = children[0];
    if (!keyNode) continue;
    const name = keyNode.type === 'string' ? keyNode.text.slice(1, -1) : keyNode.text;
    if (name === key) return children[children.length - 1] ?? null;
  }
  return null;
}

/** The value at a dotted path (`properties.siteConfig.appSettings`) inside nested object literals, or null. */
export function propertyAt(object: Node, path: string): Node | null {
  let current: Node | null = object;
  for (const key of path.split('.')) {
    if (!current || current.type !== 'object') return null;
    current = objectProperty(current, key);
  }
  return current;
}

/** Resource declared in the model by symbol. */
export function resourceBySymbol(model: BicepModel, symbol: string): ResourceDecl | undefined {
  return model.resources.find((r) => r.symbol === symbol);
}

/** Files loaded by loadJsonContent anywhere in the model (absolute paths). */
export function loadedJsonFiles(model: BicepModel): string[] {
  const out: string[] = [];
  for (const call of model.source.root.descendantsOfType('call_expression')) {
    if (!call || call.childForFieldName('function')?.text !== 'loadJsonContent') continue;
    const argument = significantChildren(call.childForFieldName('arguments')!)[0];
    if (argument?.type === 'string') out.push(resolve(dirname(model.source.path), literalString(argument)));
  }
  return out;
}

/**
 * Evaluates the compile-time part of an expression. `bindings` holds loop variables. Parameters are inputs and stay
 * Opaque (their defaults are not assumed); resource and module properties stay Opaque.
 */
export function evaluate(model: BicepModel, node: Node, bindings: ReadonlyMap<string, Value> = new Map()): Value {
  const recurse = (n: Node): Value => evaluate(model, n, bindings);
  switch (node.type) {
    case 'string':
      try {
        return decodeStringParts(node, (expr) => {
          const value = recurse(expr);
          if (value instanceof Opaque) return value;
          if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
            return String(value);
          return new Opaque(expr.text);
        });
      } catch (err) {
        if (err instanceof OpaqueString) return new Opaque(node.text);
        throw err;
      }
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'array':
      return significantChildren(node).map(recurse);
    case 'object': {
      const out: { [key: string]: Value } = {};
      for (const property of significantChildren(node)) {
        if (property.type !== 'object_property') continue;
        const children = significantChildren(property);
        out[propertyKey(property, recurse)] = recurse(children[children.length - 1]!);
      }
      return out;
    }
    case 'parenthesized_expression':
      return recurse(significantChildren(node)[0]!);
    case 'identifier': {
      const name = node.text;
      if (bindings.has(name)) return bindings.get(name)!;
      const variable = model.vars.get(name);
      if (variable) return recurse(variable);
      return new Opaque(name);
    }
    case 'member_expression': {
      const object = recurse(node.childForFieldName('object')!);
      const property = node.childForFieldName('property')!.text;
      if (object !== null && typeof object === 'object' && !(object instanceof Opaque) && !Array.isArray(object)) {
        const value = object[property];
        if (value !== undefined) return value;
      }
      return new Opaque(node.text);
    }
    case 'subscript_expression': {
      const object = recurse(node.childForFieldName('object')!);
      const index = recurse(node.childForFieldName('index')!);
      if (Array.isArray(object) && typeof index === 'number') return object[index] ?? new Opaque(node.text);
      if (
        object !== null &&
        typeof object === 'object' &&
        !(object instanceof Opaque) &&
        !Array.isArray(object) &&
        typeof index === 'string' &&
        object[index] !== undefined
      ) {
        return object[index]!;
      }
      return new Opaque(node.text);
    }
    case 'unary_expression': {
      const argument = recurse(node.childForFieldName('argument')!);
      const operator = node.childForFieldName('operator')?.text ?? node.text.trim()[0];
      if (operator === '!' && typeof argument === 'boolean') return !argument;
      if (operator === '-' && typeof argument === 'number') return -argument;
      return new Opaque(node.text);
    }
    case 'ternary_expression': {
      const condition = recurse(node.childForFieldName('condition')!);
      if (typeof condition !== 'boolean') return new Opaque(node.text);
      return recurse(node.childForFieldName(condition ? 'consequence' : 'alternative')!);
    }
    case 'call_expression':
      return evaluateCall(model, node, recurse);
    default:
      return new Opaque(node.text);
  }
}

function evaluateCall(model: BicepModel, node: Node, recurse: (n: Node) => Value): Value {
  const fn = node.childForFieldName('function')?.text;
  const args = significantChildren(node.childForFieldName('arguments')!).map(recurse);
  const isPlainObject = (v: Value | undefined): v is { [key: string]: Value } =>
    v !== null && v !== undefined && typeof v === 'object' && !(v instanceof Opaque) && !Array.isArray(v);
  switch (fn) {
    case 'loadJsonContent': {
      const [path] = args;
      if (typeof path !== 'string' || args.length !== 1) break;
      return JSON.parse(readFileSync(resolve(dirname(model.source.path), path), 'utf8')) as Value;
    }
    case 'items': {
      const [object] = args;
      if (!isPlainObject(object)) break;
      return Object.keys(object)
        .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
        .map((key) => ({ key, value: object[key]! }));
    }
    case 'toLower':
      if (typeof args[0] === 'string') return args[0].toLowerCase();
      break;
    case 'toUpper':
      if (typeof args[0] === 'string') return args[0].toUpperCase();
      break;
    case 'empty': {
      const [value] = args;
      if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
      if (value === null) return true;
      if (isPlainObject(value)) return Object.keys(value).length === 0;
      break;
    }
    case 'union':
      if (args.every(isPlainObject)) return Object.assign({}, ...args) as Value;
      break;
    default:
      break;
  }
  return new Opaque(node.text);
}

/** Evaluates a resource's `name:` for every iteration of its loop (one entry for a resource without a loop). */
export function resourceNames(model: BicepModel, resource: ResourceDecl): Value[] {
  const nameNode = objectProperty(resource.body, 'name');
  if (!nameNode) return [];
  if (!resource.loop) return [evaluate(model, nameNode)];
  const items = evaluate(model, resource.loop.iterable);
  if (!Array.isArray(items)) return [new Opaque(resource.loop.iterable.text)];
  return items.map((item) => evaluate(model, nameNode, new Map([[resource.loop!.variable, item]])));
}
