// DELETE /api/uploads/{name}: withdraws an export (src/pipeline/http/withdrawRoute.ts). It changes the
// data, so it always requires the host's admin (master) key, whatever HTTP_AUTH says; with HTTP_AUTH=entra
// the caller must also be signed in by App Service authentication (docs/replace-and-withdraw.md).
import { app } from '@azure/functions';
import { answerWithdrawal, WITHDRAW_ROUTE } from '../pipeline/http/withdrawRoute.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { httpHandler } from './httpHandler.js';

export const WITHDRAW_FUNCTION = WITHDRAW_ROUTE.name;

export function makeWithdrawHandler(services: () => PipelineServices = pipelineServices) {
  return httpHandler(
    WITHDRAW_FUNCTION,
    (request, s, context) =>
      answerWithdrawal({ name: request.params['name'], query: request.query }, { store: s.store, log: context }),
    services,
  );
}

export const withdrawHandler = makeWithdrawHandler();

app.http(WITHDRAW_FUNCTION, {
  route: WITHDRAW_ROUTE.route,
  methods: [WITHDRAW_ROUTE.method],
  authLevel: 'admin',
  handler: withdrawHandler,
});
