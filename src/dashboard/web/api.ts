// Calls to the report API: same origin with the browser's session cookie (Entra sign-in), marked as a
// script's request, redirects not followed; JSON pages followed through continuation tokens, CSV downloads.
// The page holds no key: none is read from its URL, none is put in one.
import type { SignInMode } from './signIn.js';

export type Query = Record<string, string | number | undefined>;

export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }

  /** The API wants the caller to sign in (again): 401, or a redirect to the sign-in page. */
  get needsSignIn(): boolean {
    return this.status === 401;
  }
}

const REFUSED: Record<SignInMode, Record<401 | 403, string>> = {
  entra: {
    401: 'The report API asks you to sign in: reload the page to sign in again. If signing in does not help, ask the administrator to check the sign-in setup (docs/sign-in.md).',
    403: 'You are signed in, but your account or application is not among those allowed to use the report API: ask the administrator to assign you to the app (docs/sign-in.md).',
  },
  functionKey: {
    401: 'The report API wants a function key, and the dashboard never takes one from its URL: open it through the local dashboard with REPORTS_KEY set to a host key, or ask the administrator to switch on Entra sign-in (docs/sign-in.md).',
    403: 'The report API refused the request (403).',
  },
};

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly signIn: SignInMode = 'functionKey',
  ) {}

  /** `/api/summary?groupBy=day&from=…` (undefined and '' values left out). */
  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(name, String(value));
    }
    const text = params.toString();
    return `${this.base}/${path}${text === '' ? '' : `?${text}`}`;
  }

  private async request(path: string, query: Query, accept: string, signal?: AbortSignal): Promise<Response> {
    // X-Requested-With marks a script's request, which sign-in front ends answer with 401 rather than with a
    // redirect to their sign-in page; a redirect all the same is not followed (it would leave the origin).
    const headers: Record<string, string> = { accept, 'x-requested-with': 'XMLHttpRequest' };
    let response: Response;
    try {
      response = await fetch(this.url(path, query), {
        headers,
        signal,
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual',
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiFailure(0, 'The report API could not be reached; check that the Function App is running.');
    }
    if (response.type === 'opaqueredirect') throw new ApiFailure(401, REFUSED[this.signIn][401]);
    if (response.ok) return response;
    let message = `The report API answered ${response.status} ${response.statusText}`.trim();
    let parameter: string | undefined;
    try {
      const body = (await response.json()) as { error?: { message?: string; parameter?: string } };
      if (body.error?.message) message = body.error.message;
      parameter = body.error?.parameter;
    } catch {
      // not JSON: keep the status line
    }
    if (response.status === 401 || response.status === 403) message = REFUSED[this.signIn][response.status];
    throw new ApiFailure(response.status, message, parameter);
  }

  async json<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const response = await this.request(path, query, 'application/json', signal);
    return (await response.json()) as T;
  }

  /** Every item of a listing, following continuation tokens up to `maxPages` pages. */
  async all<T, P extends Page<T> = Page<T>>(
    path: string,
    query: Query,
    maxPages: number,
    signal?: AbortSignal,
  ): Promise<{ first: P; items: T[]; complete: boolean }> {
    const first = await this.json<P>(path, query, signal);
    const items = [...first.items];
    let token = first.continuationToken;
    let pages = 1;
    while (token && pages < maxPages) {
      const next = await this.json<P>(path, { ...query, continuationToken: token }, signal);
      items.push(...next.items);
      token = next.continuationToken;
      pages++;
    }
    return { first, items, complete: !token };
  }

  /**
   * The CSV form of a listing (format=csv), all pages joined under one header line; with `bom`, the
   * first page is asked for with bom=1, so the text starts with the byte order mark Excel needs.
   */
  async csv(path: string, query: Query, maxPages = 100, bom = false): Promise<string> {
    let text = '';
    let token: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const first = page === 0;
      const response = await this.request(
        path,
        {
          ...query,
          format: 'csv',
          ...(first && bom ? { bom: '1' } : {}),
          ...(token ? { continuationToken: token } : {}),
        },
        'text/csv',
      );
      // response.text() would drop the byte order mark; this decoder keeps it.
      const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
      text += first ? body : body.slice(body.indexOf('\n') + 1);
      token = response.headers.get('x-continuation-token');
      if (!token) break;
    }
    return text;
  }
}

/** Saves text as a file through a temporary object URL (no navigation, works under the CSP). */
export function saveText(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
