// DELETE /api/uploads/{name}: withdraws an export (src/pipeline/http/withdrawRoute.ts). It changes the
// data, so it always requires the host's admin (master) key, whatever HTTP_AUTH says; with HTTP_AUTH=entra
// the caller must also be signed in by App Service authentication (docs/replace-and-withdraw.md).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { storageUnavailableResponse } from '../pipeline/answerReport.js';
import { answerWithdrawal, WITHDRAW_ROUTE } from '../pipeline/http/withdrawRoute.js';
import { httpAuthMode, signInRefusal } from '../pipeline/http/httpAuth.js';
import { describeError } from '../errors.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';

export const WITHDRAW_FUNCTION = WITHDRAW_ROUTE.name;

export function makeWithdrawHandler(services: () => PipelineServices = pipelineServices) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const refused = signInRefusal(httpAuthMode(), request.headers);
    if (refused) return { status: refused.status, headers: refused.headers, body: refused.body };
    let s: PipelineServices;
    try {
      s = services();
      await s.ready();
    } catch (error) {
      context.error(`${WITHDRAW_FUNCTION}: storage is not ready: ${describeError(error)}`);
      const unavailable = storageUnavailableResponse();
      return { status: unavailable.status, headers: unavailable.headers, body: unavailable.body };
    }
    const response = await answerWithdrawal(
      { name: request.params['name'], query: request.query },
      { store: s.store, log: context },
    );
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

export const withdrawHandler = makeWithdrawHandler();

app.http(WITHDRAW_FUNCTION, {
  route: WITHDRAW_ROUTE.route,
  methods: [WITHDRAW_ROUTE.method],
  authLevel: 'admin',
  handler: withdrawHandler,
});
