import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { signedMessage, type HashSignatureScheme, type SignedRequest } from './signatures.js';
import { authenticate } from './auth.js';
import { SourceDefinitionSchema, type AuthRule } from './definition.js';
import { mapPostback } from './mapping.js';
import { PRESETS } from './presets.js';

// Published vendor examples run through the presets themselves (see docs/integrations/research).

const request = (origin: string, path: string, rawQuery: string, headers: Record<string, string> = {}): SignedRequest => ({
  origin,
  path,
  rawQuery,
  headers,
  body: undefined,
  fields: Object.fromEntries(new URLSearchParams(rawQuery)),
});
const check = (rules: AuthRule[], req: SignedRequest, secret: string | null) => authenticate(rules, { request: req, ip: '203.0.113.1', now: Date.now() }, secret);
const schemeOf = (rules: readonly AuthRule[]) => (rules[0] as { scheme: HashSignatureScheme }).scheme;

describe('presets', () => {
  const validator = Compile(SourceDefinitionSchema);
  it.each(Object.keys(PRESETS))('%s is a valid source definition', (name) => {
    expect(validator.Errors(PRESETS[name as keyof typeof PRESETS])).toEqual([]);
  });

  it('BitLabs: the published callback verifies', () => {
    const req = request('https://publisher.com', '/complete', 'uid=8cc877ee-af19-488d-b28d-216fb866b996&val=500&hash=dbcd6bb8ca677344592842a52b4fca9bec36cd4b');
    expect(check(PRESETS.bitlabs.auth, req, 'JLOIAUNMHFli7ZJOQVEzm98rzqnm9')).toEqual({ ok: true });
    expect(mapPostback(PRESETS.bitlabs, { query: req.fields, body: null })).toMatchObject({ ok: false, problem: { field: 'tx' } });
  });

  it('Pollfish: the published callback verifies, with the publisher’s parameters and an empty request_uuid, and cpa is read as cents', () => {
    const rawQuery = 'device_id=my-device-id&cpa=30&timestamp=1463152452308&tx_id=123456789&click_id=a-unique-click-id&signature=h4utQ%2Fi9u7VGTyf9BGi37A08cIE%3D';
    expect(check(PRESETS.pollfish.auth, request('https://www.example.com', '', rawQuery), '4dd95289-3961-4a1f-a216-26fa0f99ca87')).toEqual({ ok: true });
    const extended = `${rawQuery}&bundle_id=com.domain.app&source=pollfish&request_uuid=&debug=true`;
    expect(check(PRESETS.pollfish.auth, request('https://www.example.com', '', extended), '4dd95289-3961-4a1f-a216-26fa0f99ca87')).toEqual({ ok: true });
    const mapped = mapPostback(PRESETS.pollfish, { query: { request_uuid: 'u', tx_id: '123456789', cpa: '30' }, body: null });
    expect(mapped).toMatchObject({ ok: true, value: { amountMicros: 300_000, currency: 'USD' } });
  });

  it('AdMob SSV: a Google-signed callback verifies with the preset key', () => {
    const rawQuery =
      'ad_network=5450213213286189855&ad_unit=3826813800&reward_amount=5&reward_item=coins&timestamp=1603301304534&transaction_id=147f17287596c1e105dc48686abaaf5e&user_id=hIUa1gWJKIhyoD2QMYxzog521O62&signature=MEQCIFbibACS03osaK1Xt__gaNaA7tHz4RSRKMvK7tkHmdYKAiA_LNgYMvIM6CVPxDJkRXER7pFbO7Rihvjd_RHTujiimg&key_id=3335741209';
    expect(check(PRESETS['admob-ssv'].auth, request('https://x', '/verify', rawQuery), null)).toEqual({ ok: true });
    expect(mapPostback(PRESETS['admob-ssv'], { query: Object.fromEntries(new URLSearchParams(rawQuery)), body: null })).toMatchObject({
      ok: true,
      value: { userId: 'hIUa1gWJKIhyoD2QMYxzog521O62', externalId: '147f17287596c1e105dc48686abaaf5e', partnerCoins: 5, timestamp: 1603301304534 },
    });
  });

  it('AppLovin MAX: the published event token verifies', () => {
    const rawQuery = 'event_id=14a97273742c0c9e8864fe40193dad5506e930bc&user_id=user-42&amount=100&event_token=3724081c17d32a66276ffff2a14b124a278934e9';
    const key = 'uHXOnmfO2f3wd-syBwXxsj7m53qiJoI9VzXTvE8LOSnIWjS6zzxS8HgSIBJSbQWdS1czmgwXSWDaKwehtjyYl_';
    expect(check(PRESETS['applovin-max'].auth, request('https://x', '/', rawQuery), key)).toEqual({ ok: true });
  });

  it('ironSource: a community test vector verifies (no official one is published)', () => {
    const rawQuery = 'timestamp=202004110724&eventId=eventId&appUserId=appUserId&rewards=10&signature=840a10bda8df0666d5f0da54750d23a5';
    expect(check(PRESETS.ironsource.auth, request('https://x', '/', rawQuery), 'supersecret')).toEqual({ ok: true });
  });

  it("ayeT-Studios: builds the doc's published sorted string, and re-encodes like PHP", () => {
    const scheme = schemeOf(PRESETS.ayetstudios.auth);
    const published = request(
      'https://your-site.com',
      '/postback/',
      'transaction_id=8ee08f32ae611231b0a49d1bd66e9bf193132561&amount=0.10&payout=1.50&user_id=testuser123456&click_id=1234abcd5678021',
    );
    expect(signedMessage(scheme, published, '').toString()).toBe(
      'amount=0.10&click_id=1234abcd5678021&payout=1.50&transaction_id=8ee08f32ae611231b0a49d1bd66e9bf193132561&user_id=testuser123456',
    );
    // A third-party copy of a newer doc version adds offer_name=TEST OFFER (space as "+"), with its hash.
    const newer = request('https://your-site.com', '/postback/', `${published.rawQuery}&offer_name=TEST%20OFFER`, {
      'x-ayetstudios-security-hash': '62a32725866780ada1dec3d62232645f2801e05a91df7b0202e9b780f804f04b',
    });
    expect(check(PRESETS.ayetstudios.auth, newer, '9f2228fea0d8e7ce10b2ac36053db14c')).toEqual({ ok: true });
    expect(signedMessage(scheme, request('h', '/', "a=x*y!z'(q)~"), '').toString()).toBe('a=x%2Ay%21z%27%28q%29%7E');
  });
});
