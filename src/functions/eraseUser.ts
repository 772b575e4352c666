// DELETE /api/privacy/users/{objectIdOrUpn}: erases one person from every table, the rejects and the users file
// (src/storage/erasure.ts, docs/privacy.md); POST /api/privacy/pseudonyms: a pseudonym's candidates checked.
// Both change or reveal personal data, so they always require the host's admin (master) key, whatever
// HTTP_AUTH says; with HTTP_AUTH=entra the caller must also be signed in by App Service authentication.
// Not under /api/admin: the Functions host refuses routes that start with `admin` (its own admin API).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { storageUnavailableResponse } from '../pipeline/answerReport.js';
import {
  answerErasure,
  answerPseudonyms,
  ERASE_ROUTE,
  PSEUDONYMS_ROUTE,
  type AdminDeps,
} from '../pipeline/http/eraseRoute.js';
import { httpAuthMode, signInRefusal } from '../pipeline/http/httpAuth.js';
import { describeError } from '../errors.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { pseudonymizerFromEnv } from '../privacyMode.js';
import type { ReportResponse } from '../pipeline/http/types.js';

export const ERASE_FUNCTION = ERASE_ROUTE.name;
export const PSEUDONYMS_FUNCTION = PSEUDONYMS_ROUTE.name;

function adminHandler(
  name: string,
  answer: (request: HttpRequest, deps: AdminDeps) => Promise<ReportResponse>,
  services: () => PipelineServices,
) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const refused = signInRefusal(httpAuthMode(), request.headers);
    if (refused) return { status: refused.status, headers: refused.headers, body: refused.body };
    let s: PipelineServices;
    try {
      s = services();
      await s.ready();
    } catch (error) {
      context.error(`${name}: storage is not ready: ${describeError(error)}`);
      const unavailable = storageUnavailableResponse();
      return { status: unavailable.status, headers: unavailable.headers, body: unavailable.body };
    }
    const response = await answer(request, {
      store: s.store,
      log: context,
      pseudonymizer: () => pseudonymizerFromEnv(),
    });
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

export function makeEraseHandler(services: () => PipelineServices = pipelineServices) {
  return adminHandler(
    ERASE_FUNCTION,
    (request, deps) => answerErasure({ id: request.params['objectIdOrUpn'], query: request.query }, deps),
    services,
  );
}

export function makePseudonymsHandler(services: () => PipelineServices = pipelineServices) {
  return adminHandler(
    PSEUDONYMS_FUNCTION,
    async (request, deps) => answerPseudonyms(await request.text(), deps, request.query),
    services,
  );
}

app.http(ERASE_FUNCTION, {
  route: ERASE_ROUTE.route,
  methods: [ERASE_ROUTE.method],
  authLevel: 'admin',
  handler: makeEraseHandler(),
});

app.http(PSEUDONYMS_FUNCTION, {
  route: PSEUDONYMS_ROUTE.route,
  methods: [PSEUDONYMS_ROUTE.method],
  authLevel: 'admin',
  handler: makePseudonymsHandler(),
});
