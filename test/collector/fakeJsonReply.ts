// What the fake Microsoft endpoints of these tests share: reading a request's body, and answering with JSON
// while noting the status on the request they recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The whole body of a request. */
export async function requestBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers `status` with `body` as JSON (a string is sent as it is) and `headers`; notes the status on `record`. */
export function sendJson(
  res: ServerResponse,
  record: { status?: number },
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  record.status = status;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
