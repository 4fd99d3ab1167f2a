import { InUseError, StoreUnavailableError, UniqueViolationError } from '../../lib/errors.js';

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
