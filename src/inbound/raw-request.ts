import type { RawRequest } from '../store/store.js';

/** What arrived, independent of the HTTP framework. */
export interface InboundRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  body: Buffer | undefined;
}

// Credentials never reach the store or the logs.
const SECRET_HEADER = /authorization|secret|token|signature|api-?key|password|cookie/i;

export function captureRaw(request: InboundRequest, bodyLimit: number): RawRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADER.test(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  const body = request.body;
  const truncated = body !== undefined && body.length > bodyLimit;
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    headers,
    ip: request.ip,
    body: body === undefined || body.length === 0 ? null : body.subarray(0, bodyLimit).toString('utf8'),
    bodyTruncated: truncated,
  };
}

export function headerValue(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `application/json`, `application/json; charset=utf-8`, `application/vnd.x+json`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
