// The refusal a collector credential gives: a CollectorCredentialsError whose message carries no trace or
// correlation id from Entra ID and none of the given secrets.
import assert from 'node:assert/strict';
import { CollectorCredentialsError } from '../../src/collector/errors.js';

export async function credentialsRefusal(
  promise: Promise<unknown>,
  secrets: readonly string[] = [],
): Promise<CollectorCredentialsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CollectorCredentialsError, String(error));
    assert.ok(!/Trace ID|Correlation ID/.test(error.message), error.message);
    for (const secret of secrets)
      assert.ok(!error.message.includes(secret), `the message holds ${secret.slice(0, 4)}…`);
    return error;
  }
  return assert.fail('the call was expected to fail');
}
