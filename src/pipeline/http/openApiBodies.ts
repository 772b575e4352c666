// The OpenAPI description of /api's success responses: the top-level shape of each route's JSON body
// (docs/http-api.md describes the fields) and the CSV alternative.
import { CONTINUATION_HEADER } from './render.js';
import { WITHDRAW_ROUTE } from './withdrawRoute.js';
import type { DescribedRoute, Json } from './openApiParameters.js';

export const STRING_OR_NULL = { type: ['string', 'null'] };
export const object = (properties: Json, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  properties,
  required,
});
const ROWS = { type: 'array', items: { type: 'object' } };
const LISTING = object({ items: ROWS, continuationToken: STRING_OR_NULL });

/** The top-level shape of each route's JSON body (docs/http-api.md describes the fields). */
const JSON_BODIES: Record<string, { description: string; schema: Json }> = {
  reportMeetings: {
    description: 'The meetings report: one row per analysed meeting, by meeting start.',
    schema: LISTING,
  },
  reportMeeting: {
    description:
      'One meeting, with a page of its sessions and disconnections (notes and mass events with include=events).',
    schema: object(
      {
        meeting: { type: ['object', 'null'] },
        summary: { type: ['object', 'null'] },
        analysedAt: STRING_OR_NULL,
        pendingAnalysis: { type: 'boolean' },
        sessionsTotal: { type: ['integer', 'null'] },
        disconnectionsTotal: { type: ['integer', 'null'] },
        sessions: ROWS,
        disconnections: ROWS,
        notes: ROWS,
        massEvents: ROWS,
        continuationToken: STRING_OR_NULL,
      },
      ['meeting', 'continuationToken'],
    ),
  },
  reportAttendees: { description: 'The attendees report: one row per stored session.', schema: LISTING },
  reportDisconnections: {
    description: 'The disconnections report: one row per detected disconnection.',
    schema: LISTING,
  },
  reportSummary: {
    description:
      'Totals of the period; with groupBy, the ranking of that dimension in items; with site, platform or user, a focus.',
    schema: object(
      {
        period: object({ from: STRING_OR_NULL, to: STRING_OR_NULL }),
        totals: { type: 'object' },
        minSessions: { type: 'integer' },
        groupBy: STRING_OR_NULL,
        focus: { type: 'object' },
        items: ROWS,
        continuationToken: STRING_OR_NULL,
      },
      ['period', 'totals', 'minSessions', 'items', 'continuationToken'],
    ),
  },
  reportUsers: { description: 'The users report.', schema: LISTING },
  reportUploads: { description: 'The upload ledger: one entry per ingested blob version.', schema: LISTING },
  reportUpload: {
    description: 'Every ledger entry of one blob name, newest first.',
    schema: object({ blobName: { type: 'string' }, items: ROWS, continuationToken: STRING_OR_NULL }),
  },
  reportHealth: {
    description:
      'Storage, config files, the last analysis run, the name lookup, retention and the Log Analytics purge (503 with the same body when storage does not answer).',
    schema: object(
      {
        status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
        checkedAt: { type: 'string' },
        storage: { type: 'object' },
        config: { type: 'object' },
        analysis: { type: 'object' },
        collector: { type: ['object', 'null'] },
        names: {},
        retention: { type: ['object', 'null'] },
        logAnalyticsPurge: {
          type: ['object', 'null'],
          description:
            'The Log Analytics purge of erasures: state off, ok or misconfigured, queued erasures, notBefore after a 429, lastError.',
        },
      },
      ['status', 'storage', 'config', 'analysis'],
    ),
  },
  reportOpenApi: {
    description: 'This document.',
    schema: object({
      openapi: { type: 'string' },
      info: { type: 'object' },
      paths: { type: 'object' },
      components: { type: 'object' },
    }),
  },
  [WITHDRAW_ROUTE.name]: {
    description: 'What the withdrawal removed, and the ledger entries of every version as they are now.',
    schema: object({ blobName: { type: 'string' }, alreadyWithdrawn: { type: 'boolean' }, versions: ROWS }, [
      'blobName',
      'alreadyWithdrawn',
      'versions',
    ]),
  },
};

export function body(name: string): { description: string; schema: Json } {
  const described = JSON_BODIES[name];
  if (described === undefined) throw new Error(`the OpenAPI document has no response body for the route "${name}"`);
  return described;
}

export function okResponse(route: DescribedRoute): Json {
  const { description, schema } = body(route.name);
  const content: Json = { 'application/json': { schema } };
  if (route.csv !== false)
    content['text/csv'] = {
      schema: { type: 'string', description: "The report's columns (format=csv or Accept: text/csv)." },
    };
  const response: Json = { description, content };
  if (route.csv !== false && route.pages !== false) {
    response['headers'] = {
      [CONTINUATION_HEADER]: {
        description: 'CSV only: the token of the next page, when there is one.',
        schema: { type: 'string' },
      },
    };
  }
  return response;
}
