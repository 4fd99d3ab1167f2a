import { describe, expect, it } from 'vitest';
import { captureRaw, redactUrl } from './raw-request.js';

describe('redaction', () => {
  it('hides credential-looking query values in logged URLs, keeping the rest as sent', () => {
    expect(redactUrl('/postbacks/gg3?user_id=1&secret=abc&api_key=k&sig=x%20y&key=z')).toBe('/postbacks/gg3?user_id=1&secret=[redacted]&api_key=[redacted]&sig=x%20y&key=[redacted]');
    expect(redactUrl('/postbacks/w?sk=abc', ['sk'])).toBe('/postbacks/w?sk=[redacted]');
    expect(redactUrl('/healthz')).toBe('/healthz');
  });

  it('keeps no secret in the raw record', () => {
    const raw = captureRaw(
      { method: 'GET', path: '/p', query: { user: 'u', token: 't', sk: 's' }, headers: { authorization: 'Bearer x', 'x-api-key': 'k', host: 'h' }, ip: '1.2.3.4', body: undefined },
      100,
      ['sk'],
    );
    expect(raw.query).toEqual({ user: 'u', token: '[redacted]', sk: '[redacted]' });
    expect(raw.headers).toEqual({ authorization: '[redacted]', 'x-api-key': '[redacted]', host: 'h' });
  });
});
