// Test helper: a local Logs Ingestion API over HTTPS implementing its documented contract as @azure/monitor-ingestion
// drives it: POST /dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01 with a JSON array body
// (gzip-encoded by the client), a bearer token issued by the local Entra ID stand-in for https://monitor.azure.com,
// 204 on success; 401 without a valid token, 404 for an unknown rule or stream, 400 for a body that is not a JSON
// array, 413 above 1 MB (compressed or not), and scripted faults (429 with Retry-After, 5xx) for the next requests.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { selfSignedCertificate } from '../../collector/selfSignedCertificate.js';

export const API_VERSION = '2023-01-01';
/** The service's limit on one call, compressed or not. */
export const MAX_CALL_BYTES = 1024 * 1024;

export interface IngestionCall {
  ruleId: string;
  stream: string;
  status: number;
  compressedBytes: number;
  bytes: number;
  rows: number;
}

export interface IngestionFault {
  status: number;
  retryAfterSeconds?: number;
  /** Requests this fault answers (default 1). */
  times?: number;
  /** Only requests to this stream (default: any). */
  stream?: string;
}

export class FakeLogsIngestion {
  /** Rows accepted, per stream. */
  readonly accepted = new Map<string, Array<Record<string, unknown>>>();
  readonly calls: IngestionCall[] = [];
  readonly faults: IngestionFault[] = [];
  readonly ruleId = 'dcr-00112233445566778899aabbccddeeff';
  /** Streams the rule declares. */
  streams = new Set<string>();
  baseUrl = '';
  readonly tlsCertificatePem: string;
  private readonly tlsKeyPem: string;
  private readonly tokens = new Set<string>();
  private server: Server | undefined;

  private constructor() {
    const tls = selfSignedCertificate('127.0.0.1', '127.0.0.1');
    this.tlsCertificatePem = tls.certificatePem;
    this.tlsKeyPem = tls.privateKeyPem;
  }

  static async start(streams: string[]): Promise<FakeLogsIngestion> {
    const fake = new FakeLogsIngestion();
    fake.streams = new Set(streams);
    fake.server = createServer({ key: fake.tlsKeyPem, cert: fake.tlsCertificatePem }, (req, res) => {
      fake.handle(req, res).catch((error: unknown) => fake.answer(res, 500, 'InternalServerError', String(error)));
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `https://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Accepts a token the Entra stand-in issued (pass as its onIssued). */
  trust(token: string): void {
    this.tokens.add(token);
  }

  rows(stream: string): Array<Record<string, unknown>> {
    return this.accepted.get(stream) ?? [];
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private answer(
    res: ServerResponse,
    status: number,
    code?: string,
    message?: string,
    headers: Record<string, string> = {},
  ): void {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (code === undefined) {
      res.statusCode = status;
      res.end();
      return;
    }
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ error: { code, message } }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const match = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    const call: IngestionCall = {
      ruleId: match?.[1] ?? '',
      stream: decodeURIComponent(match?.[2] ?? ''),
      status: 0,
      compressedBytes: raw.length,
      bytes: raw.length,
      rows: 0,
    };
    this.calls.push(call);
    const finish = (status: number, code?: string, message?: string, headers?: Record<string, string>): void => {
      call.status = status;
      this.answer(res, status, code, message, headers);
    };
    if (req.method !== 'POST' || !match) return finish(404, 'NotFound', 'No such route');
    if (url.searchParams.get('api-version') !== API_VERSION)
      return finish(400, 'InvalidApiVersion', `api-version must be ${API_VERSION}`);
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice('Bearer '.length)))
      return finish(401, 'InvalidToken', 'The access token is missing or invalid');
    if (call.ruleId !== this.ruleId || !this.streams.has(call.stream))
      return finish(404, 'NotFound', 'Data collection rule or stream not found');
    const fault = this.faults.find((f) => f.stream === undefined || f.stream === call.stream);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      return finish(
        fault.status,
        fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
        'Scripted fault',
        headers,
      );
    }
    if (raw.length > MAX_CALL_BYTES)
      return finish(413, 'ContentLengthLimitExceeded', 'The request is larger than 1 MB');
    let body: Buffer = raw;
    if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
      try {
        body = gunzipSync(raw);
      } catch {
        return finish(400, 'InvalidContentEncoding', 'The body is not valid gzip');
      }
    }
    call.bytes = body.length;
    if (body.length > MAX_CALL_BYTES)
      return finish(413, 'ContentLengthLimitExceeded', 'The request is larger than 1 MB');
    let rows: unknown;
    try {
      rows = JSON.parse(body.toString('utf8'));
    } catch {
      return finish(400, 'InvalidPayload', 'The body is not JSON');
    }
    if (!Array.isArray(rows) || rows.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
      return finish(400, 'InvalidPayload', 'The body must be a JSON array of objects');
    }
    call.rows = rows.length;
    const list = this.accepted.get(call.stream) ?? [];
    list.push(...(rows as Array<Record<string, unknown>>));
    this.accepted.set(call.stream, list);
    finish(204);
  }
}
