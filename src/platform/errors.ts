/**
 * The one error type of Pertinent. Every failure that reaches a client is an
 * AppError with a stable `code` (listed in docs/reference/errors.md), an HTTP
 * status, a message that says what is wrong, and a hint that says how to fix it.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export const badRequest = (
  code: string,
  message: string,
  options: { hint?: string; details?: Record<string, unknown> } = {},
) => new AppError(code, 400, message, options);

export const notFound = (code: string, message: string, hint?: string) =>
  new AppError(code, 404, message, hint === undefined ? {} : { hint });

export const conflict = (code: string, message: string, hint?: string) =>
  new AppError(code, 409, message, hint === undefined ? {} : { hint });

export const unprocessable = (
  code: string,
  message: string,
  options: { hint?: string; details?: Record<string, unknown> } = {},
) => new AppError(code, 422, message, options);
