// The report API's request and response shapes (no Azure Functions types) and its error type.

export interface ReportRequest {
  /** One of REPORT_ROUTES' route templates, e.g. `meetings/{meetingId}`. */
  route: string;
  /** Path parameters, e.g. `{ meetingId }`. */
  params: Record<string, string | undefined>;
  /** Query string parameters (a parameter given twice keeps all its values); ignored when `url` is given. */
  query: URLSearchParams | Record<string, string | undefined>;
  /**
   * The request URL, when known: its query string is then parsed by the API itself (src/pipeline/http/queryString.ts).
   */
  url?: string;
  /** The Accept header, if any. */
  accept?: string;
}

export interface ReportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Every error code the API answers, with its HTTP status (the one list: docs/http-api.md, the OpenAPI document). */
export const API_ERROR_STATUS = {
  InvalidParameter: 400,
  UnknownParameter: 400,
  InvalidEncoding: 400,
  InvalidContinuationToken: 400,
  SignInRequired: 401,
  RouteNotFound: 404,
  MeetingNotFound: 404,
  UploadNotFound: 404,
  NotPseudonymised: 409,
  InternalError: 500,
  StorageUnavailable: 503,
  SignInNotEnforced: 503,
  PseudonymKeyUnavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** A request the API refuses: status, a stable code, a message a person can act on, and the parameter at fault. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export function badParameter(parameter: string, message: string, code: ApiErrorCode = 'InvalidParameter'): ApiError {
  return new ApiError(400, code, message, parameter);
}
