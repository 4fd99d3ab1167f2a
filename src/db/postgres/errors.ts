import { InUseError, StartupError, StoreUnavailableError, UniqueViolationError } from '../../lib/errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57P
 * (operator intervention: shutdown, cannot connect now) mean "retry later", as do socket
 * errors and pool time-outs.
 */
export function mapPostgresError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof UniqueViolationError || error instanceof InUseError) return error;
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (code === '23505') return new UniqueViolationError(error.message);
  if (code === '23503') return new InUseError();
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(08|53|57P)/.test(code))) return new StoreUnavailableError();
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Cannot use a pool after calling end/.test(error.message)) {
    return new StoreUnavailableError();
  }
  return error;
}

/**
 * Why the hub could not open its PostgreSQL database at start-up, in one line naming the server
 * (never the password) and, where it can, what to do.
 */
export function openFailure(url: string, error: unknown): StartupError {
  const target = new URL(url);
  const server = `${target.hostname || 'localhost'}:${target.port || '5432'}`;
  const database = decodeURIComponent(target.pathname.slice(1)) || decodeURIComponent(target.username) || 'postgres';
  const { code, message = String(error) } = error as { code?: string; message?: string };
  let line: string;
  if (code === '3D000') {
    line = `PostgreSQL at ${server} has no database "${database}": create it (createdb -h ${target.hostname || 'localhost'} -p ${target.port || '5432'} "${database}") or fix DATABASE_URL`;
  } else if (code === '28P01' || code === '28000') {
    line = `PostgreSQL at ${server} refused the login${target.username ? ` of "${decodeURIComponent(target.username)}"` : ''}: ${message}`;
  } else if (code === 'ECONNREFUSED') {
    line = `PostgreSQL at ${server} is unreachable: connection refused (is it running, on that port?)`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    line = `PostgreSQL at ${server} is unreachable: the host name does not resolve (${code})`;
  } else if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    line = `PostgreSQL at ${server} is unreachable: no answer in time (${code ?? 'timeout'})`;
  } else if (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(08|53|57P)/.test(code))) {
    line = `PostgreSQL at ${server} is unavailable: ${code}: ${message}`;
  } else {
    line = `PostgreSQL at ${server}, database "${database}": ${message}`;
  }
  return new StartupError(line, { cause: error });
}
