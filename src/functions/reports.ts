// HTTP report functions: one GET registration per route of REPORT_ROUTES (src/pipeline/answerReport.ts), each
// answered by answerReport, and the dashboard. How callers authenticate follows HTTP_AUTH (httpAuth.ts):
// a function key (authLevel 'function'), or Entra sign-in through App Service authentication (authLevel
// 'anonymous' for the host, and every request checked for Easy Auth's principal).
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { answerReport, REPORT_ROUTES, type ReportRoute } from '../pipeline/answerReport.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { functionAuthLevel, httpAuthMode, signInRefusal } from '../pipeline/http/httpAuth.js';
import { DashboardAssets } from '../dashboard/assets.js';
import { hostResponse, httpHandler } from './httpHandler.js';

export function makeReportHandler(route: ReportRoute, services: () => PipelineServices = pipelineServices) {
  return httpHandler(
    route.name,
    (request, s, context) => {
      const accept = request.headers.get('accept');
      return answerReport(
        // The URL as sent: the host's query map joins repeated parameters and hides bad encodings.
        {
          route: route.route,
          params: { ...request.params },
          query: request.query,
          url: request.url,
          ...(accept === null ? {} : { accept }),
        },
        { store: s.store, config: s.config, log: context },
      );
    },
    services,
  );
}

/** The handlers by function name (tests call them directly). */
export const reportHandlers: Readonly<Record<string, ReturnType<typeof makeReportHandler>>> = Object.fromEntries(
  REPORT_ROUTES.map((route) => [route.name, makeReportHandler(route)]),
);

/** Read once, when the worker indexes the functions: the host fixes authLevel at that point. */
const authLevel = functionAuthLevel(httpAuthMode());

for (const route of REPORT_ROUTES) {
  app.http(route.name, {
    route: route.route,
    methods: ['GET'],
    authLevel,
    handler: reportHandlers[route.name]!,
  });
}

const dashboardAssets = new DashboardAssets();

/**
 * The dashboard page and its assets (src/dashboard), behind the same authentication as the report API. The page
 * takes no key from its URL: with Entra sign-in the browser's session cookie carries the caller.
 */
export function dashboardHandler(request: HttpRequest): HttpResponseInit {
  const mode = httpAuthMode();
  const refused = signInRefusal(mode, request.headers);
  if (refused) return hostResponse(refused);
  const acceptEncoding = request.headers.get('accept-encoding');
  const response = dashboardAssets.respond({
    asset: request.params['asset'] ?? '',
    pathname: new URL(request.url).pathname,
    method: request.method,
    signIn: mode,
    ...(acceptEncoding === null ? {} : { acceptEncoding }),
  });
  return hostResponse(response);
}

app.http('dashboard', {
  route: 'dashboard/{*asset}',
  methods: ['GET', 'HEAD'],
  authLevel,
  handler: dashboardHandler,
});
