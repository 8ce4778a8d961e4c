import type { ErrorCode } from './error-codes.js';

/** Domain errors with stable, registered codes (error-codes.ts); http/errors.ts answers with their status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('invalid_request', `${field} ${problem}`);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class UnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('unavailable', message);
  }
}

/** The audit trail cannot be written or read: the access it would record is refused. */
export class AuditUnavailableError extends DomainError {
  constructor(message: string, options?: { cause: unknown }) {
    super('audit_unavailable', message);
    if (options) this.cause = options.cause;
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** Rendering a PDF needs a Chromium that is not there; the message names the path and the package. */
export class PdfEngineMissingError extends DomainError {
  constructor(path: string) {
    super(
      'pdf_engine_missing',
      `report PDFs need Chromium at ${path} (PULSE_CHROMIUM_PATH): install the Debian package chromium (apt-get install chromium) or point PULSE_CHROMIUM_PATH at a Chromium`,
    );
  }
}
