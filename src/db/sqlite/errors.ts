import { InUseError, StoreUnavailableError, UniqueViolationError } from '../../lib/errors.js';

/** What crosses the thread boundary of an error. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

// Codes that mean "the file cannot be written or read right now", not "this input is wrong".
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM)/;

export function mapSqliteError(error: unknown): unknown {
  const { code, message } = error instanceof Error || (typeof error === 'object' && error !== null) ? (error as SerializedError) : serializeError(error);
  if (error instanceof StoreUnavailableError || error instanceof UniqueViolationError || error instanceof InUseError) return error;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return new UniqueViolationError(message);
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new InUseError();
  if ((code !== undefined && UNAVAILABLE.test(code)) || message === 'The database connection is not open') {
    return new StoreUnavailableError();
  }
  if (error instanceof Error) return error;
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}
