// The HTTP authentication mode (HTTP_AUTH): function keys unless the setting says entra, and in entra mode a
// request goes on only when App Service authentication is on for the app and signed the caller in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  functionAuthLevel,
  httpAuthMode,
  PRINCIPAL_ID_HEADER,
  signInRefusal,
} from '../../../src/pipeline/http/httpAuth.js';
import { jsonBody, type ErrorBody } from '../../support/jsonBody.js';

const headers = (values: Record<string, string> = {}) => new Headers(values);
const EASY_AUTH_ON = { WEBSITE_AUTH_ENABLED: 'True' };

test('function keys unless HTTP_AUTH is entra; an unknown value keeps function keys', () => {
  assert.equal(httpAuthMode({}), 'functionKey');
  assert.equal(httpAuthMode({ HTTP_AUTH: '' }), 'functionKey');
  assert.equal(httpAuthMode({ HTTP_AUTH: 'functionKey' }), 'functionKey');
  assert.equal(httpAuthMode({ HTTP_AUTH: 'anonymous' }), 'functionKey');
  assert.equal(httpAuthMode({ HTTP_AUTH: 'entra' }), 'entra');
  assert.equal(httpAuthMode({ HTTP_AUTH: ' Entra ' }), 'entra');
});

test('the functions are anonymous for the host only in entra mode', () => {
  assert.equal(functionAuthLevel('functionKey'), 'function');
  assert.equal(functionAuthLevel('entra'), 'anonymous');
});

test('with function keys nothing is refused here (the host checked the key)', () => {
  assert.equal(signInRefusal('functionKey', headers(), {}), undefined);
});

test('entra mode: a request Easy Auth signed in goes on', () => {
  assert.equal(
    signInRefusal('entra', headers({ [PRINCIPAL_ID_HEADER]: '00000000-0000-0000-0000-000000000001' }), EASY_AUTH_ON),
    undefined,
  );
  assert.equal(
    signInRefusal('entra', headers({ [PRINCIPAL_ID_HEADER]: 'x' }), { WEBSITE_AUTH_ENABLED: 'true' }),
    undefined,
  );
});

test('entra mode: no principal header is 401 with a Bearer challenge and what to do', () => {
  const refused = signInRefusal('entra', headers(), EASY_AUTH_ON);
  assert.ok(refused);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers['www-authenticate'], 'Bearer');
  const body = jsonBody<ErrorBody>(refused);
  assert.equal(body.error.code, 'SignInRequired');
  assert.match(body.error.message, /\/\.auth\/login\/aad/);
});

test('entra mode with App Service authentication off: 503 even with a principal header (anyone could send one)', () => {
  for (const env of [{}, { WEBSITE_AUTH_ENABLED: 'False' }, { WEBSITE_AUTH_ENABLED: '' }]) {
    const refused = signInRefusal('entra', headers({ [PRINCIPAL_ID_HEADER]: 'forged' }), env);
    assert.ok(refused, JSON.stringify(env));
    assert.equal(refused.status, 503);
    const body = jsonBody<ErrorBody>(refused);
    assert.equal(body.error.code, 'SignInNotEnforced');
    assert.match(body.error.message, /WEBSITE_AUTH_ENABLED is not True/);
    assert.match(body.error.message, /ENABLE_ENTRA_AUTH=true/);
    assert.match(body.error.message, /HTTP_AUTH=functionKey/);
  }
});
