// HTTP report functions: one GET registration per route of REPORT_ROUTES (src/pipeline/answerReport.ts),
// authLevel 'function' (callers pass a function key), each answered by answerReport.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { answerReport, REPORT_ROUTES, storageUnavailableResponse, type ReportRoute } from '../pipeline/answerReport.js';
import { describeError } from '../pipeline/log.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { DashboardAssets } from '../dashboard/assets.js';

export function makeReportHandler(route: ReportRoute, services: () => PipelineServices = pipelineServices) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let s: PipelineServices;
    try {
      s = services();
      await s.ready();
    } catch (error) {
      context.error(`${route.name}: storage is not ready: ${describeError(error)}`);
      const unavailable = storageUnavailableResponse();
      return { status: unavailable.status, headers: unavailable.headers, body: unavailable.body };
    }
    const accept = request.headers.get('accept');
    const response = await answerReport(
      { route: route.route, params: { ...request.params }, query: request.query, ...(accept === null ? {} : { accept }) },
      { store: s.store, config: s.config, log: context },
    );
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

/** The handlers by function name (tests call them directly). */
export const reportHandlers: Readonly<Record<string, ReturnType<typeof makeReportHandler>>> = Object.fromEntries(
  REPORT_ROUTES.map((route) => [route.name, makeReportHandler(route)]),
);

for (const route of REPORT_ROUTES) {
  app.http(route.name, {
    route: route.route,
    methods: ['GET'],
    authLevel: 'function',
    handler: reportHandlers[route.name]!,
  });
}

const dashboardAssets = new DashboardAssets();

/** The dashboard page and its assets (src/dashboard), behind the same function key as the report API. */
export async function dashboardHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const code = request.query.get('code');
  const acceptEncoding = request.headers.get('accept-encoding');
  const response = dashboardAssets.respond({
    asset: request.params['asset'] ?? '',
    pathname: new URL(request.url).pathname,
    method: request.method,
    ...(code ? { code } : {}),
    ...(acceptEncoding === null ? {} : { acceptEncoding }),
  });
  return { status: response.status, headers: response.headers, body: response.body };
}

app.http('dashboard', {
  route: 'dashboard/{*asset}',
  methods: ['GET', 'HEAD'],
  authLevel: 'function',
  handler: dashboardHandler,
});
