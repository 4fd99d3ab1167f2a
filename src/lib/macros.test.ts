import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { macroNames, renderMacros, unknownMacros } from './macros.js';
import { bodyHmac, standardWebhookHeaders } from '../features/destinations/webhook-signing.js';

describe('macros', () => {
  const values = { userId: 'user 1&2', clickId: 'c/9', payout: '2.1', note: 'say "hi"\n', 'payload.session_id': 'a90310222' };

  it("fills GG3's webhook URL, encoding values for a URL", () => {
    const rendered = renderMacros('https://webhook.site/2d80209a?userId={userId}&clickId={clickId}&event=registration', values, 'url', 'empty');
    expect(rendered).toEqual({ ok: true, text: 'https://webhook.site/2d80209a?userId=user%201%262&clickId=c%2F9&event=registration' });
  });

  it('escapes values inside a JSON body and leaves header values alone', () => {
    expect(renderMacros('{"note":"{note}","session":"{payload.session_id}"}', values, 'json', 'empty')).toEqual({
      ok: true,
      text: '{"note":"say \\"hi\\"\\n","session":"a90310222"}',
    });
    expect(JSON.parse((renderMacros('{"note":"{note}"}', values, 'json', 'empty') as { text: string }).text)).toEqual({ note: 'say "hi"\n' });
    expect(renderMacros('Bearer {clickId}', values, 'none', 'empty')).toEqual({ ok: true, text: 'Bearer c/9' });
  });

  it('makes an unknown macro empty, keeps it, or refuses it', () => {
    expect(renderMacros('a={nope}&b={payout}', values, 'url', 'empty')).toEqual({ ok: true, text: 'a=&b=2.1' });
    expect(renderMacros('a={nope}&b={payout}', values, 'url', 'keep')).toEqual({ ok: true, text: 'a={nope}&b=2.1' });
    expect(renderMacros('a={nope}&b={nope}', values, 'url', 'error')).toEqual({ ok: false, unknown: ['nope'] });
  });

  it("treats Object.prototype's names as unknown macros, not as values", () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
      expect(renderMacros(`{"a":"{${name}}"}`, values, 'json', 'empty')).toEqual({ ok: true, text: '{"a":""}' });
      expect(renderMacros(`?a={${name}}`, values, 'url', 'error')).toEqual({ ok: false, unknown: [name] });
    }
  });

  it('checks a template when it is saved', () => {
    expect(macroNames('{a}{b}{a}')).toEqual(['a', 'b']);
    expect(unknownMacros('?u={user_id}&s={payload.anything}&x={bogus}', new Set(['user_id']), true)).toEqual(['bogus']);
    expect(unknownMacros('?s={payload.anything}', new Set(['user_id']), false)).toEqual(['payload.anything']);
  });
});

describe('signing', () => {
  const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
  const old = `whsec_${Buffer.from('the-previous-secret-still-valid!').toString('base64')}`;
  const body = JSON.stringify({ event: 'registration', userId: 'u1' });
  const now = Math.floor(Date.now() / 1000);

  it('signs as Standard Webhooks, verified by the standardwebhooks package', () => {
    const headers = standardWebhookHeaders('msg_delivery-1', now, body, [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('u1', 'u2'), headers)).toThrow();
  });

  it('signs with the old secret too during a rotation', () => {
    const headers = standardWebhookHeaders('msg_delivery-2', now, body, [secret, old]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(old).verify(body, headers)).toBeTruthy();
  });

  it('computes a plain body HMAC', () => {
    // RFC 4231 test case 2.
    expect(bodyHmac('what do ya want for nothing?', 'Jefe')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
