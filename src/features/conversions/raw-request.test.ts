import { describe, expect, it } from 'vitest';
import { Redactor } from './raw-request.js';

describe('redaction', () => {
  it('hides credential-looking query values in logged URLs, keeping the rest as sent', () => {
    const redactor = new Redactor();
    expect(redactor.url('/postbacks/gg3?user_id=1&secret=abc&api_key=k&sig=x%20y&key=z')).toBe('/postbacks/gg3?user_id=1&secret=[redacted]&api_key=[redacted]&sig=x%20y&key=[redacted]');
    expect(redactor.url('/healthz')).toBe('/healthz');
    expect(redactor.url('/postbacks/w?sk=abc')).toBe('/postbacks/w?sk=abc');
  });

  it("hides the sources' own names, compared decoded and case-insensitively, every occurrence", () => {
    const redactor = new Redactor();
    redactor.setNames(['pk', 'X-Partner-Key']);
    expect(redactor.url('/p?pk=1&p%6b=2&PK=3&p%4B=4&u=5&pk=6&pk')).toBe('/p?pk=[redacted]&p%6b=[redacted]&PK=[redacted]&p%4B=[redacted]&u=5&pk=[redacted]&pk');
    // `+` and %20 are spaces, as the form decoder reads them; a name that does not decode is compared as sent.
    redactor.setNames(['my key', 'a%zz']);
    expect(redactor.url('/p?my+key=1&my%20key=2&a%zz=3&pk=4')).toBe('/p?my+key=[redacted]&my%20key=[redacted]&a%zz=[redacted]&pk=4');
  });

  it('keeps no secret in the raw record: query, headers and form body', () => {
    const redactor = new Redactor();
    redactor.setNames(['sk', 'X-Partner-Key']);
    const raw = redactor.capture(
      {
        method: 'POST',
        path: '/p',
        query: { user: 'u', token: 't', sk: 's', SK: ['a', 'b'] },
        headers: { authorization: 'Bearer x', 'x-api-key': 'k', 'x-partner-key': 'p', host: 'h', 'content-type': 'application/x-www-form-urlencoded' },
        ip: '1.2.3.4',
        body: Buffer.from('a=1&s%6b=2&secret=3'),
      },
      100,
    );
    expect(raw.query).toEqual({ user: 'u', token: '[redacted]', sk: '[redacted]', SK: '[redacted]' });
    expect(raw.headers).toEqual({ authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-partner-key': '[redacted]', host: 'h', 'content-type': 'application/x-www-form-urlencoded' });
    expect(raw.body).toBe('a=1&s%6b=[redacted]&secret=[redacted]');
  });
});
