// What every HTTP function that reads or changes the store does around its own answer: refuse a caller App Service
// authentication did not sign in (HTTP_AUTH=entra, src/pipeline/http/httpAuth.ts), get the pipeline's services
// ready (storage that cannot be reached: 503 StorageUnavailable, the cause logged), and hand the pipeline's answer
// to the host. Registers nothing.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { storageUnavailableResponse } from '../pipeline/answerReport.js';
import { httpAuthMode, signInRefusal } from '../pipeline/http/httpAuth.js';
import type { ReportResponse } from '../pipeline/http/types.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { describeError } from '../errors.js';

/** An answer of the pipeline (or the dashboard's assets) as the host's response. */
export function hostResponse(response: {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}): HttpResponseInit {
  return { status: response.status, headers: response.headers, body: response.body };
}

/** The request's own work, once the caller may go on and the services are ready; it answers, never throws. */
export type HandlerAnswer = (
  request: HttpRequest,
  services: PipelineServices,
  context: InvocationContext,
) => Promise<ReportResponse>;

/** A host handler for the function `name` (the name starts its log lines). */
export function httpHandler(
  name: string,
  answer: HandlerAnswer,
  services: () => PipelineServices = pipelineServices,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const refused = signInRefusal(httpAuthMode(), request.headers);
    if (refused) return hostResponse(refused);
    let ready: PipelineServices;
    try {
      ready = services();
      await ready.ready();
    } catch (error) {
      context.error(`${name}: storage is not ready: ${describeError(error)}`);
      return hostResponse(storageUnavailableResponse());
    }
    return hostResponse(await answer(request, ready, context));
  };
}
