// The OpenAPI description validates against the official OpenAPI 3.1 schema (@seriousme/openapi-schema-validator),
// in both authentication modes, and the validator does refuse a broken document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_ROUTES } from '../../../src/pipeline/answerReport.js';
import { openApiDocument } from '../../../src/pipeline/http/openApi.js';

async function validate(document: unknown): Promise<{ valid: boolean; errors?: unknown; version?: string }> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const validator = new Validator();
  const result = await validator.validate(
    JSON.parse(JSON.stringify(document)) as Parameters<typeof validator.validate>[0],
  );
  return { valid: result.valid, errors: result.errors, version: validator.version };
}

for (const mode of ['functionKey', 'entra'] as const) {
  test(`the ${mode} document is valid OpenAPI 3.1`, async () => {
    const result = await validate(openApiDocument(REPORT_ROUTES, mode));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(result.version, '3.1');
  });
}

test('the validator refuses a document whose response is not an object', async () => {
  const broken = JSON.parse(JSON.stringify(openApiDocument(REPORT_ROUTES, 'functionKey'))) as {
    paths: Record<string, Record<string, { responses: unknown; parameters?: Array<Record<string, unknown>> }>>;
  };
  const [firstPath] = Object.keys(broken.paths);
  const operation = broken.paths[firstPath!]!['get']!;
  operation.responses = { '200': 'fine' };
  assert.equal((await validate(broken)).valid, false);
});
