// A plain node:http client for the host tests: sets any Host, Origin or Expect header, sends a body
// declared but held back, or streams one, and reports a reset connection instead of hiding it.
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Whether the server sent "100 Continue". */
  continued: boolean;
  /** Bytes of the body the client had written when the answer came. */
  written: number;
}

export interface RawRequest {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** The whole body. */
  body?: Buffer | string;
  /** Headers only: the declared body is never sent (the answer must come without it). */
  holdBody?: boolean;
  /** Streams this many bytes in 16 KiB chunks (chunked), all of them even after the answer came. */
  streamBytes?: number;
}

export function rawRequest(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let continued = false;
    let written = 0;
    let response: RawResponse | undefined;
    let sent = false;
    // Done once the answer is read and the whole request sent: a reset during either rejects.
    const settle = (): void => {
      if (!response || !sent) return;
      resolve(response);
      if (options.holdBody) req.destroy();
    };
    const req = request({
      host: '127.0.0.1',
      port: options.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      agent: false,
    });
    req.on('continue', () => {
      continued = true;
      if (options.streamBytes !== undefined) pump();
    });
    req.on('error', (err) => reject(new Error(`the connection failed instead of answering: ${err.message}`)));
    req.on('finish', () => {
      sent = true;
      settle();
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        response = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          continued,
          written,
        };
        // A body held back is never sent: the answer is all there is.
        if (
          options.holdBody ||
          (options.streamBytes !== undefined && !continued && /100-continue/i.test(options.headers?.['expect'] ?? ''))
        )
          sent = true;
        settle();
      });
    });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    function pump(): void {
      const total = options.streamBytes!;
      while (written < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - written));
        written += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    }
    if (options.holdBody) {
      req.flushHeaders();
    } else if (options.streamBytes !== undefined) {
      if (/100-continue/i.test(options.headers?.['expect'] ?? '')) req.flushHeaders();
      else pump();
    } else {
      req.end(options.body);
    }
  });
}
