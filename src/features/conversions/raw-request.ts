import type { RawRequest } from './events-types.js';

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
/** Query parameters that carry credentials by their name. */
const SECRET_PARAM = /secret|token|passw|api_?key|^key$|^auth/i;
const REDACTED = '[redacted]';

/**
 * Which parts of a request are credentials: query parameters, form fields and headers whose
 * name matches the patterns above, or is one of the names the sources' authentication reads
 * (`setNames`: a partner's `pk`, a signature parameter), compared case-insensitively. One per
 * hub, kept current by the source service; the access log asks it on every request, so a
 * check is a regular expression and a set lookup, and a URL without `?` is not looked at.
 */
export class Redactor {
  private names: ReadonlySet<string> = new Set();

  /** The names the sources' rules read, replacing the previous ones. */
  setNames(names: Iterable<string>): void {
    this.names = new Set([...names].map((name) => name.toLowerCase()));
  }

  /** A decoded query-parameter or field name. */
  isSecretParam(name: string): boolean {
    return SECRET_PARAM.test(name) || (this.names.size > 0 && this.names.has(name.toLowerCase()));
  }

  private isSecretHeader(name: string): boolean {
    return SECRET_HEADER.test(name) || (this.names.size > 0 && this.names.has(name.toLowerCase()));
  }

  /** A URL for the logs: credential values replaced, everything else as sent. */
  url(url: string): string {
    const at = url.indexOf('?');
    if (at < 0) return url;
    const query = url.slice(at + 1);
    const redacted = this.query(query);
    return redacted === query ? url : `${url.slice(0, at + 1)}${redacted}`;
  }

  /**
   * A query string or form body with credential values replaced, every other byte as sent.
   * Names are compared decoded, as the form decoder reads them (`p%6b` is `pk`); one that
   * does not decode is compared as it is. Every occurrence of a repeated name.
   */
  query(raw: string): string {
    const parts = raw.split('&');
    let changed = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const eq = part.indexOf('=');
      if (eq >= 0 && this.isSecretParam(decodeName(part.slice(0, eq)))) {
        parts[i] = `${part.slice(0, eq)}=${REDACTED}`;
        changed = true;
      }
    }
    return changed ? parts.join('&') : raw;
  }

  /** What arrived, for the event's record, without its credentials. */
  capture(request: InboundRequest, bodyLimit: number): RawRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name] = this.isSecretHeader(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
    }
    const body = request.body;
    const truncated = body !== undefined && body.length > bodyLimit;
    let text = body === undefined || body.length === 0 ? null : body.subarray(0, bodyLimit).toString('utf8');
    if (text !== null && isFormContentType(headerValue(request, 'content-type'))) text = this.query(text);
    return {
      method: request.method,
      path: request.path,
      query: Object.fromEntries(Object.entries(request.query).map(([name, value]) => [name, this.isSecretParam(name) ? REDACTED : value])),
      headers,
      ip: request.ip,
      body: text,
      bodyTruncated: truncated,
    };
  }
}

function decodeName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
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

function isFormContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
