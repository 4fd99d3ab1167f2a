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
/** Query parameters that carry credentials by their name (signatures are not secrets). */
const SECRET_PARAM = /secret|token|passw|api_?key|^key$|^auth/i;

/** A URL for the logs: credential-looking query values replaced, everything else as sent. */
export function redactUrl(url: string, extraNames: readonly string[] = []): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return eq >= 0 && (SECRET_PARAM.test(name) || extraNames.includes(name)) ? `${name}=[redacted]` : part;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

/** `extraSecretParams`: query parameters that carry this source's secret, whatever their name. */
export function captureRaw(request: InboundRequest, bodyLimit: number, extraSecretParams: readonly string[] = []): RawRequest {
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
    query: Object.fromEntries(
      Object.entries(request.query).map(([name, value]) => [name, SECRET_PARAM.test(name) || extraSecretParams.includes(name) ? '[redacted]' : value]),
    ),
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
