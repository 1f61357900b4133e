/**
 * Domain errors. Services throw these for refused operations; expected findings (validation results,
 * import problems) are returned as values instead. Each interface maps them in exactly one place.
 */
export type ErrorCode = 'NOT_FOUND' | 'INVALID' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly zh: string,
    readonly en: string,
    readonly details?: unknown,
  ) {
    super(en);
    this.name = 'DomainError';
  }
}

export const notFound = (zh: string, en: string) => new DomainError('NOT_FOUND', zh, en);
export const invalid = (zh: string, en: string, details?: unknown) => new DomainError('INVALID', zh, en, details);
export const conflict = (zh: string, en: string, details?: unknown) => new DomainError('CONFLICT', zh, en, details);
export const forbidden = (zh: string, en: string) => new DomainError('FORBIDDEN', zh, en);

/** HTTP status for each code; the CLI uses its own exit codes from the same switch. */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'NOT_FOUND': return 404;
    case 'INVALID': return 400;
    case 'CONFLICT': return 409;
    case 'FORBIDDEN': return 403;
    case 'UNAUTHENTICATED': return 401;
  }
}

/** A problem in a catalogue file, located at its line and column. */
export interface CatalogueError {
  path: string;
  line: number;
  column: number;
  message: string;
  messageZh: string;
}

export class CatalogueInvalid extends Error {
  constructor(readonly errors: CatalogueError[]) {
    super(errors.map((e) => `${e.path}:${e.line}:${e.column}: ${e.message}`).join('\n'));
    this.name = 'CatalogueInvalid';
  }
}
