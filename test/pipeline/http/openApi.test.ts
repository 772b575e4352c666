// The OpenAPI document: valid by the 3.1 rules it relies on, its error codes those the code answers, its
// parameter schemas those the parameter checks accept, its security the HTTP_AUTH modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_ROUTES } from '../../../src/pipeline/answerReport.js';
import { openApiDocument, openApiResponse } from '../../../src/pipeline/http/openApi.js';
import { parseFilter, parseListOptions } from '../../../src/pipeline/http/params.js';
import { exportErasureMode } from '../../../src/pipeline/http/eraseExportsParameter.js';
import { API_ERROR_STATUS, ApiError } from '../../../src/pipeline/http/types.js';
import {
  STORAGE_RETRY_AFTER_SECONDS,
  storageUnavailableResponse,
} from '../../../src/pipeline/http/storageUnavailable.js';
import { findPackageRoot } from '../../../src/local/captureRegistrations.js';
import type { HttpAuthMode } from '../../../src/pipeline/http/httpAuth.js';
import { present } from '../../support/jsonBody.js';
import { openApiProblems } from './openApiRules.js';

/** The parts of an OpenAPI 3.1 document these tests read or break (openApiProblems checks the structure). */
type Schema = {
  type?: string;
  enum?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  minimum?: number;
  maximum?: number;
  default?: number;
};
type Parameter = { name: string; in: string; schema: Schema };
type Response = {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema: Schema }>;
  headers?: Record<string, { description: string; schema: Schema }>;
};
type Operation = { parameters: Parameter[]; responses: Record<string, Response>; security: unknown[] };
type SecurityScheme = { type: string; in?: string; name?: string; scheme?: string };
type OpenApiDoc = {
  openapi: string;
  info: { title: string; version?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, SecurityScheme>; responses: Record<string, Response> };
};

/** The document of a sign-in mode, read as the OpenAPI shape (the first test checks it keeps that shape). */
const openApi = (mode: HttpAuthMode): OpenApiDoc => openApiDocument(REPORT_ROUTES, mode) as OpenApiDoc;
const doc = openApi('functionKey');
const operations = (d: OpenApiDoc): Array<{ path: string; method: string; op: Operation }> =>
  Object.entries(d.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
/** The operation of a path and method, asserted present. */
const operation = (d: OpenApiDoc, path: string, method = 'get'): Operation =>
  present(d.paths[path]?.[method], `${method} ${path}`);

test('the document keeps the OpenAPI 3.1 rules (version, info, paths, parameters, responses, security, $refs), in both sign-in modes', () => {
  assert.deepEqual(openApiProblems(doc), []);
  assert.deepEqual(openApiProblems(openApiDocument(REPORT_ROUTES, 'entra')), []);
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.ok(operations(doc).length >= REPORT_ROUTES.length + 1);
});

test('the rule check finds each kind of breach (it is not vacuous)', () => {
  const broken = (change: (d: OpenApiDoc) => void): string[] => {
    const copy = structuredClone(doc);
    change(copy);
    return openApiProblems(copy);
  };
  assert.match(broken((d) => (d.openapi = '3.0.3')).join('\n'), /3\.1\.x/);
  assert.match(broken((d) => delete d.info.version).join('\n'), /info needs/);
  assert.match(
    broken((d) => (operation(d, '/health').responses['500'] = { $ref: '#/components/responses/Nope' })).join('\n'),
    /does not resolve/,
  );
  assert.match(
    broken((d) => (operation(d, '/meetings/{meetingId}').parameters = [])).join('\n'),
    /\{meetingId\} is not described/,
  );
  assert.match(
    broken((d) => (operation(d, '/health').security = [{ nokey: [] }])).join('\n'),
    /"nokey" is not in components/,
  );
  assert.match(
    broken((d) => (present(operation(d, '/meetings').parameters[0], 'first parameter').in = 'body')).join('\n'),
    /in must be/,
  );
  assert.match(
    broken(
      (d) =>
        (present(operation(d, '/users').responses['200']?.content?.['application/json'], 'users JSON').schema.type =
          'list'),
    ).join('\n'),
    /not a JSON Schema type/,
  );
});

/** The error codes the document gives each HTTP status. */
function documentedCodes(d: OpenApiDoc): Map<string, number> {
  const codes = new Map<string, number>();
  for (const [name, response] of Object.entries(d.components.responses)) {
    const status = Number(/^Error(\d{3})$/.exec(name)?.[1]);
    const error = response.content?.['application/json']?.schema.properties?.['error'];
    for (const code of present(error?.properties?.['code']?.enum, `${name}: error codes`)) codes.set(code, status);
  }
  return codes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

test('every error code the code answers is documented under its HTTP status, and the document has no other', () => {
  const documented = documentedCodes(doc);
  assert.deepEqual(Object.fromEntries(documented), { ...API_ERROR_STATUS });
  // What the sources construct: new ApiError(status, 'Code' ...) and badParameter(..., 'Code') (always 400).
  const src = join(findPackageRoot(__dirname), 'src');
  const used = new Map<string, Set<number>>();
  const add = (code: string, status: number): void =>
    void (used.get(code) ?? used.set(code, new Set()).get(code)!).add(status);
  for (const file of sourceFiles(src)) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/new ApiError\(\s*(\d{3}),\s*'([A-Za-z]+)'/g)) add(m[2]!, Number(m[1]));
    for (const m of source.matchAll(/badParameter\([\s\S]*?,\s*'([A-Z][A-Za-z]+)',?\s*\)/g)) add(m[1]!, 400);
  }
  add('InvalidParameter', 400); // badParameter's default code
  assert.ok(used.size >= 8, `found only ${[...used.keys()].join(', ')}`);
  for (const [code, statuses] of used) {
    assert.deepEqual(
      [...statuses],
      [documented.get(code)],
      `${code} is answered with ${[...statuses].join(', ')}; documented: ${documented.get(code)}`,
    );
  }
  for (const code of documented.keys()) assert.ok(used.has(code), `${code} is documented but no source answers it`);
});

/** Runs a query through the API's own parameter checks; the ApiError, or undefined when accepted. */
/** The refusal of a query by the checks of the operation at `path` (the report routes' unless it has its own). */
function refusal(query: Record<string, string>, path = '/meetings'): ApiError | undefined {
  const values = new Map(Object.entries(query));
  try {
    if (path === '/privacy/users/{objectIdOrUpn}') {
      exportErasureMode(query);
      return undefined;
    }
    parseFilter(values);
    parseListOptions(values, undefined);
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

test('each enumerated value the document offers is accepted by the parameter checks, and a value outside is refused', () => {
  let checked = 0;
  for (const { path, method, op } of operations(doc)) {
    for (const p of op.parameters) {
      if (p.in !== 'query') continue;
      const values = p.schema.enum ?? p.schema.items?.enum;
      if (values === undefined) continue;
      const base: Record<string, string> = p.name === 'bom' ? { format: 'csv' } : {};
      for (const value of values) {
        assert.equal(
          refusal({ ...base, [p.name]: value }, path)?.message,
          undefined,
          `${method} ${path}: ${p.name}=${value}`,
        );
        checked++;
      }
      assert.equal(
        refusal({ ...base, [p.name]: 'surely-not-a-value' }, path)?.parameter,
        p.name,
        `${method} ${path}: ${p.name} refuses others`,
      );
    }
  }
  assert.ok(checked > 20, `only ${checked} values checked`);
});

test('limit: the documented minimum and maximum are the accepted bounds', () => {
  const limit = present(
    operation(doc, '/meetings').parameters.find((p) => p.name === 'limit'),
    'limit parameter',
  ).schema;
  assert.equal(limit.type, 'integer');
  const minimum = present(limit.minimum, 'limit minimum');
  const maximum = present(limit.maximum, 'limit maximum');
  assert.equal(refusal({ limit: String(minimum) }), undefined);
  assert.equal(refusal({ limit: String(maximum) }), undefined);
  assert.equal(refusal({ limit: String(minimum - 1) })?.parameter, 'limit');
  assert.equal(refusal({ limit: String(maximum + 1) })?.parameter, 'limit');
  assert.equal(parseListOptions(new Map(), undefined).limit, limit.default);
});

test('from and to: the documented date and date-time forms are accepted', () => {
  for (const value of ['2024-05-01', '2024-05-01T08:00:00Z', '2024-05-01T08:00:00'])
    assert.equal(refusal({ from: value }), undefined, value);
  assert.equal(refusal({ from: '01/05/2024' })?.parameter, 'from');
});

test('security: function key or Entra bearer by HTTP_AUTH for the reports; the admin key always for the routes that change or reveal data', () => {
  const schemes = doc.components.securitySchemes;
  assert.deepEqual(schemes['functionKey'], {
    ...schemes['functionKey'],
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
  });
  assert.deepEqual(schemes['adminKey'], {
    ...schemes['adminKey'],
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
  });
  assert.equal(schemes['entra']?.scheme, 'bearer');
  for (const [mode, report, admin] of [
    ['functionKey', [{ functionKey: [] }], [{ adminKey: [] }]],
    ['entra', [{ entra: [] }], [{ adminKey: [], entra: [] }]],
  ] as const) {
    for (const { method, path, op } of operations(openApi(mode))) {
      assert.deepEqual(op.security, method === 'get' ? report : admin, `${mode}: ${method} ${path}`);
    }
  }
});

test('GET /api/openapi.json answers the document for the sign-in mode of the settings, and refuses CSV', () => {
  const json = { limit: 100, format: 'json', bom: false } as const;
  const response = openApiResponse(REPORT_ROUTES, json, { HTTP_AUTH: 'entra' });
  assert.equal(response.status, 200);
  assert.match(response.headers['content-type']!, /^application\/json/);
  assert.deepEqual(JSON.parse(response.body), openApiDocument(REPORT_ROUTES, 'entra'));
  assert.throws(
    () => openApiResponse(REPORT_ROUTES, { ...json, format: 'csv' }, {}),
    (e: unknown) => e instanceof ApiError && e.status === 400 && e.parameter === 'format',
  );
});

test('every operation declares 503 with the Retry-After header the storage-unavailable answer carries, in both sign-in modes', () => {
  for (const mode of ['functionKey', 'entra'] as const) {
    const d = openApi(mode);
    const ops = operations(d);
    assert.ok(ops.length >= 10, `operations: ${ops.length}`);
    for (const { path, method, op } of ops) {
      const declared = present(op.responses['503'], `${method} ${path}: 503`);
      const resolved = declared.$ref === undefined ? declared : d.components.responses[declared.$ref.split('/').pop()!];
      const header = present(resolved?.headers?.['Retry-After'], `${method} ${path}: Retry-After on 503`);
      assert.equal(header.schema.type, 'integer');
      assert.match(header.description, new RegExp(`\\(${STORAGE_RETRY_AFTER_SECONDS}\\)`));
    }
  }
  assert.equal(storageUnavailableResponse().headers['retry-after'], String(STORAGE_RETRY_AFTER_SECONDS));
});
