// DELETE /api/privacy/users/{objectIdOrUpn}: erases one person from every table, the rejects and the users file
// (src/storage/erasure.ts, docs/privacy.md); POST /api/privacy/pseudonyms: a pseudonym's candidates checked.
// Both change or reveal personal data, so they always require the host's admin (master) key, whatever
// HTTP_AUTH says; with HTTP_AUTH=entra the caller must also be signed in by App Service authentication.
// Not under /api/admin: the Functions host refuses routes that start with `admin` (its own admin API).
import { app, type InvocationContext } from '@azure/functions';
import {
  answerErasure,
  answerPseudonyms,
  ERASE_ROUTE,
  PSEUDONYMS_ROUTE,
  type AdminDeps,
} from '../pipeline/http/eraseRoute.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { pseudonymizerFromEnv } from '../privacyMode.js';
import { httpHandler } from './httpHandler.js';

export const ERASE_FUNCTION = ERASE_ROUTE.name;
export const PSEUDONYMS_FUNCTION = PSEUDONYMS_ROUTE.name;

/** The admin routes' dependencies from the services and the invocation. */
function adminDeps(s: PipelineServices, context: InvocationContext): AdminDeps {
  return { store: s.store, log: context, pseudonymizer: () => pseudonymizerFromEnv() };
}

export function makeEraseHandler(services: () => PipelineServices = pipelineServices) {
  return httpHandler(
    ERASE_FUNCTION,
    (request, s, context) =>
      answerErasure({ id: request.params['objectIdOrUpn'], query: request.query }, adminDeps(s, context)),
    services,
  );
}

export function makePseudonymsHandler(services: () => PipelineServices = pipelineServices) {
  return httpHandler(
    PSEUDONYMS_FUNCTION,
    async (request, s, context) => answerPseudonyms(await request.text(), adminDeps(s, context), request.query),
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
