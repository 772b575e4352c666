// Test helper: the structural rules of an OpenAPI 3.1 document that this project's document relies on
// (no validator package is installed). Returns every breach found, as readable lines; none means valid.
type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const LOCATIONS = new Set(['query', 'header', 'path', 'cookie']);
const STYLES: Record<string, string[]> = {
  query: ['form', 'spaceDelimited', 'pipeDelimited', 'deepObject'],
  path: ['simple', 'label', 'matrix'],
  header: ['simple'],
  cookie: ['form'],
};
const JSON_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);
const COMPONENT_KEY = /^[a-zA-Z0-9.\-_]+$/;
const STATUS_KEY = /^([1-5](\d\d|XX)|default)$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves a local JSON pointer ("#/components/responses/Error400"); undefined when it leads nowhere. */
export function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(at) || !(key in at)) return undefined;
    at = at[key];
  }
  return at;
}

function checkSchemaTypes(schema: unknown, where: string, problems: string[]): void {
  if (!isObject(schema)) return;
  const type = schema['type'];
  for (const t of type === undefined ? [] : Array.isArray(type) ? type : [type]) {
    if (typeof t !== 'string' || !JSON_TYPES.has(t))
      problems.push(`${where}: "${String(t)}" is not a JSON Schema type`);
  }
  if (isObject(schema['properties']))
    for (const [k, v] of Object.entries(schema['properties']))
      checkSchemaTypes(v, `${where}.properties.${k}`, problems);
  if (schema['items'] !== undefined) checkSchemaTypes(schema['items'], `${where}.items`, problems);
  if (schema['required'] !== undefined && !Array.isArray(schema['required']))
    problems.push(`${where}: required must be an array`);
}

function checkContent(content: unknown, where: string, problems: string[]): void {
  if (content === undefined) return;
  if (!isObject(content)) return void problems.push(`${where}: content must be an object`);
  for (const [media, value] of Object.entries(content)) {
    if (!/^[\w.+-]+\/[\w.+*-]+$/.test(media)) problems.push(`${where}: "${media}" is not a media type`);
    if (!isObject(value)) problems.push(`${where}.${media}: must be a Media Type Object`);
    else checkSchemaTypes(value['schema'], `${where}.${media}.schema`, problems);
  }
}

function checkParameter(doc: Json, raw: unknown, where: string, problems: string[]): Json | undefined {
  const p = isObject(raw) && typeof raw['$ref'] === 'string' ? resolvePointer(doc, raw['$ref']) : raw;
  if (!isObject(p)) return void problems.push(`${where}: not a Parameter Object`);
  const name = p['name'];
  const location = p['in'];
  if (typeof name !== 'string' || name === '') problems.push(`${where}: name is required`);
  if (typeof location !== 'string' || !LOCATIONS.has(location))
    return void problems.push(`${where}: in must be query, header, path or cookie`);
  if (location === 'path' && p['required'] !== true) problems.push(`${where}: a path parameter must be required: true`);
  if ((p['schema'] === undefined) === (p['content'] === undefined))
    problems.push(`${where}: exactly one of schema and content`);
  const style = p['style'];
  if (style !== undefined && (typeof style !== 'string' || !(STYLES[location] ?? []).includes(style)))
    problems.push(`${where}: style ${JSON.stringify(style)} is not allowed in ${location}`);
  checkSchemaTypes(p['schema'], `${where}.schema`, problems);
  return p;
}

/** Every breach of the OpenAPI 3.1 rules listed here; [] when there is none. */
export function openApiProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the document is not a JSON object'];
  if (typeof doc['openapi'] !== 'string' || !/^3\.1\.\d+$/.test(doc['openapi']))
    problems.push('openapi must be "3.1.x"');
  const info = doc['info'];
  if (!isObject(info) || typeof info['title'] !== 'string' || typeof info['version'] !== 'string')
    problems.push('info needs title and version (strings)');
  if (doc['paths'] === undefined && doc['components'] === undefined && doc['webhooks'] === undefined)
    problems.push('one of paths, components, webhooks is required');
  if (
    doc['servers'] !== undefined &&
    (!Array.isArray(doc['servers']) || !doc['servers'].every((s) => isObject(s) && typeof s['url'] === 'string'))
  ) {
    problems.push('servers must be Server Objects with a url');
  }
  const components = isObject(doc['components']) ? doc['components'] : {};
  for (const [kind, entries] of Object.entries(components)) {
    if (!isObject(entries)) continue;
    for (const key of Object.keys(entries))
      if (!COMPONENT_KEY.test(key)) problems.push(`components.${kind}: "${key}" is not a valid component name`);
  }
  const schemes = isObject(components['securitySchemes']) ? components['securitySchemes'] : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) continue;
    if (
      scheme['type'] === 'apiKey' &&
      (typeof scheme['name'] !== 'string' || !['query', 'header', 'cookie'].includes(String(scheme['in'])))
    ) {
      problems.push(`securitySchemes.${name}: apiKey needs name and in (query, header, cookie)`);
    } else if (scheme['type'] === 'http' && typeof scheme['scheme'] !== 'string')
      problems.push(`securitySchemes.${name}: http needs scheme`);
    else if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(String(scheme['type'])))
      problems.push(`securitySchemes.${name}: unknown type`);
  }
  const checkSecurity = (requirements: unknown, where: string): void => {
    if (requirements === undefined) return;
    if (!Array.isArray(requirements)) return void problems.push(`${where}: security must be an array`);
    for (const r of requirements) {
      if (!isObject(r)) continue;
      for (const [name, scopes] of Object.entries(r)) {
        if (!(name in schemes))
          problems.push(`${where}: security scheme "${name}" is not in components.securitySchemes`);
        if (!Array.isArray(scopes)) problems.push(`${where}: the scopes of "${name}" must be an array`);
      }
    }
  };
  checkSecurity(doc['security'], 'security');
  const operationIds = new Set<string>();
  const paths = isObject(doc['paths']) ? doc['paths'] : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/')) problems.push(`paths: "${path}" must start with /`);
    if (!isObject(item)) continue;
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.has(method)) {
        if (!['summary', 'description', 'servers', 'parameters', '$ref'].includes(method))
          problems.push(`paths.${path}: unknown field "${method}"`);
        continue;
      }
      if (!isObject(operation)) continue;
      const id = operation['operationId'];
      if (typeof id === 'string') {
        if (operationIds.has(id)) problems.push(`${where}: operationId "${id}" is not unique`);
        operationIds.add(id);
      }
      const seen = new Set<string>();
      const pathNames: string[] = [];
      const parameters = operation['parameters'] ?? [];
      if (!Array.isArray(parameters)) problems.push(`${where}: parameters must be an array`);
      for (const [i, raw] of (Array.isArray(parameters) ? parameters : []).entries()) {
        const p = checkParameter(doc, raw, `${where} parameters[${i}]`, problems);
        if (p === undefined) continue;
        const key = `${String(p['in'])}:${String(p['name'])}`;
        if (seen.has(key)) problems.push(`${where}: parameter ${key} is listed twice`);
        seen.add(key);
        if (p['in'] === 'path') pathNames.push(String(p['name']));
      }
      for (const name of templated)
        if (!pathNames.includes(name)) problems.push(`${where}: the path parameter {${name}} is not described`);
      for (const name of pathNames)
        if (!templated.includes(name)) problems.push(`${where}: the path parameter "${name}" is not in the path`);
      checkSecurity(operation['security'], where);
      const responses = operation['responses'];
      if (!isObject(responses) || Object.keys(responses).length === 0) {
        problems.push(`${where}: responses must hold at least one response`);
        continue;
      }
      for (const [status, raw] of Object.entries(responses)) {
        if (!STATUS_KEY.test(status)) problems.push(`${where}: "${status}" is not a status code`);
        const response = isObject(raw) && typeof raw['$ref'] === 'string' ? resolvePointer(doc, raw['$ref']) : raw;
        if (!isObject(response) || typeof response['description'] !== 'string')
          problems.push(`${where} ${status}: a response needs a description`);
        else checkContent(response['content'], `${where} ${status}`, problems);
      }
    }
  }
  // Every $ref anywhere resolves inside the document.
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${where}[${i}]`));
    if (!isObject(node)) return;
    if (typeof node['$ref'] === 'string' && resolvePointer(doc, node['$ref']) === undefined)
      problems.push(`${where}: $ref "${node['$ref']}" does not resolve`);
    for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
  };
  walk(doc, '#');
  return problems;
}
