/** OGC exception codes the server can emit (OWS 1.1 / OWS Common, WFS 2.0, SOS 2.0). Documented in docs/errors.md. */
export const EXCEPTION_CODES = [
  'MissingParameterValue',
  'InvalidParameterValue',
  'OperationNotSupported',
  'OperationParsingFailed',
  'OperationProcessingFailed',
  'VersionNegotiationFailed',
  'InvalidUpdateSequence',
  'OptionNotSupported',
  'ResponseExceedsSizeLimit',
  'InvalidRequest',
  'NotFound',
  'NoApplicableCode',
] as const;

export type ExceptionCode = (typeof EXCEPTION_CODES)[number];

/** Default HTTP status per code; a thrower may override it (404 for GetFeatureById, 503 for database faults). */
const DEFAULT_STATUS: Record<ExceptionCode, number> = {
  MissingParameterValue: 400,
  InvalidParameterValue: 400,
  OperationNotSupported: 400,
  OperationParsingFailed: 400,
  OperationProcessingFailed: 400,
  VersionNegotiationFailed: 400,
  InvalidUpdateSequence: 400,
  OptionNotSupported: 400,
  ResponseExceedsSizeLimit: 400,
  InvalidRequest: 400,
  NotFound: 404,
  NoApplicableCode: 500,
};

/** The one error type of the request path: carries the OGC code, the locator and the HTTP status. */
export class OwsError extends Error {
  readonly code: ExceptionCode;
  readonly locator: string;
  readonly status: number;
  /** Headers to add to the error response (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(code: ExceptionCode, locator: string, message: string, opts: { status?: number; cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OwsError';
    this.code = code;
    this.locator = locator;
    this.status = opts.status ?? DEFAULT_STATUS[code];
    this.headers = opts.headers ?? {};
  }
}

/** Shorthand for the most common request error. */
export function invalidParam(locator: string, message: string): OwsError {
  return new OwsError('InvalidParameterValue', locator, message);
}

/** Shorthand for an absent or empty required parameter. */
export function missingParam(locator: string, message = `Parameter ${locator} is required`): OwsError {
  return new OwsError('MissingParameterValue', locator, message);
}
