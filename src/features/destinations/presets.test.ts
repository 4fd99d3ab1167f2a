import { Webhook } from 'standardwebhooks';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { DestinationConfigSchema, type DestinationConfig } from './definition.js';
import { CONFIG_DEFAULTS, generateSigningSecret } from './destinations-service.js';
import { DESTINATION_PRESETS, fillPlaceholders, unfilledPlaceholders, withPreset, type DestinationPreset, type DestinationPresetName } from './presets.js';
import { buildRequest, macroValues, type EventFacts } from './request.js';
import { signingSecretProblem } from './webhook-signing.js';

const valid = Compile(DestinationConfigSchema);

// A conversion the tracker sent traffic for: its own click id came in on the hub's click
// (`partnerClickId`), the advertiser's order id is the event's external id.
const sample: EventFacts = {
  id: 'evt-1',
  source: 'shop',
  type: 'conversion',
  externalId: 'order-1001',
  userId: '3410444',
  offerId: '1511',
  clickId: 'hub-click-1',
  partner: 'tracker',
  partnerClickId: 'kt-5f2c9a',
  level: null,
  coins: 2100,
  amountMicros: 2_100_000,
  currency: 'USD',
  receivedAt: Date.parse('2023-09-20T15:27:40.802Z'),
  metadata: {},
  payload: { advertiser_name: 'momentscience', is_loyaltyboost: '0' },
};

/** The preset as a destination would hold it, its placeholders filled. */
function configOf(name: DestinationPresetName, fill: Record<string, string> = {}): DestinationConfig {
  const preset: DestinationPreset = DESTINATION_PRESETS[name];
  return { ...CONFIG_DEFAULTS, ...withPreset(name, { url: fillPlaceholders(preset, fill) }) };
}

function sent(config: DestinationConfig, event: EventFacts = sample, secrets: string[] = []) {
  const built = buildRequest(config, { signingSecrets: secrets }, macroValues(event, 'dlv-1'), 'dlv-1', Math.floor(Date.now() / 1000)); // receivers check the timestamp against their clock
  if (!built.ok) throw new Error(built.error);
  return built.request;
}

describe('destination presets', () => {
  it.each(Object.keys(DESTINATION_PRESETS) as DestinationPresetName[])('%s is a valid destination config once its placeholders are filled', (name) => {
    const preset: DestinationPreset = DESTINATION_PRESETS[name];
    const raw = { ...CONFIG_DEFAULTS, ...preset.config };
    // The preset as served (placeholders and all) fits the schema: clients copy it as it is.
    expect(valid.Check(raw), JSON.stringify([...valid.Errors(raw)])).toBe(true);
    expect(unfilledPlaceholders(preset.config.url).sort()).toEqual(preset.fill.map((f) => f.placeholder).sort());
    const filled = configOf(name);
    expect(valid.Check(filled)).toBe(true);
    expect(unfilledPlaceholders(filled.url)).toEqual([]);
    expect(preset.description.length).toBeGreaterThan(10);
    expect(preset.description).not.toContain('\n');
  });

  // Each tracker's documented example URL with the sample's values (the page is cited beside each preset).
  it.each<[DestinationPresetName, Record<string, string>, string]>([
    // Keitaro's parameters: subid, status, payout, currency, tid, on https://DOMAIN/KEY/postback.
    ['keitaro', { '<tracker-domain>': 'example.com', '<postback-key>': 'key' }, 'https://example.com/key/postback?subid=kt-5f2c9a&status=sale&payout=2.10&currency=USD&tid=order-1001'],
    ['everflow', { '<tracker-domain>': 'www.example-tracking.com', '<network-id>': '123' }, 'https://www.example-tracking.com/?nid=123&transaction_id=kt-5f2c9a&amount=2.10'],
    // Affise's example `http://offers.admin.affise.com/postback?clickid={sub1}&action_id={transactionid}`, with sum and status.
    ['affise', { '<tracker-domain>': 'offers.admin.affise.com' }, 'https://offers.admin.affise.com/postback?clickid=kt-5f2c9a&action_id=order-1001&sum=2.10&status=1'],
    // TUNE's `http://examplenetwork.go2cloud.org/aff_lsr?offer_id=26&transaction_id=TRANSACTION_ID`, with amount and adv_sub.
    ['tune', { '<network-id>': 'examplenetwork', '<offer-id>': '26' }, 'https://examplenetwork.go2cloud.org/aff_lsr?offer_id=26&transaction_id=kt-5f2c9a&amount=2.10&adv_sub=order-1001'],
    // Voluum's `https://voluum_dedicated_domain.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL`.
    ['voluum', { '<tracker-domain>': 'voluum_dedicated_domain.com' }, 'https://voluum_dedicated_domain.com/postback?cid=kt-5f2c9a&payout=2.10&txid=order-1001'],
    // Binom's `click.php?cnv_id={NETWORK_TOKEN}&payout={PAYOUT_TOKEN}&cnv_status={CONVERSION_STAUS}`.
    ['binom', { '<tracker-domain>': 'docs.binom.org' }, 'https://docs.binom.org/click.php?cnv_id=kt-5f2c9a&payout=2.10&cnv_status=conversion'],
    // RedTrack's `…/postback?clickid={replace_me}&sum={replace_or_remove}`.
    ['redtrack', { '<tracker-domain>': 'your.dedicated.tracking.domain.com' }, 'https://your.dedicated.tracking.domain.com/postback?clickid=kt-5f2c9a&sum=2.10'],
  ])("%s sends the tracker's documented postback", (name, fill, documented) => {
    const request = sent(configOf(name, fill));
    expect(request).toMatchObject({ method: 'GET', url: documented, body: undefined });
  });

  it("sends the hub's click id when the click carried none of the tracker's", () => {
    const url = sent(configOf('voluum'), { ...sample, partnerClickId: null }).url;
    expect(new URL(url).searchParams.get('cid')).toBe('hub-click-1');
  });

  it("tells TUNE's refusal (200 with an error text) from its acceptance", () => {
    expect(configOf('tune').success).toEqual({ kind: 'body', equals: 'success=true;' });
  });

  it("sends GG3's webhook as its guide shows it, with GG3's linear retries", () => {
    const config = configOf('gg3', { '<partner-domain>': 'webhook.site', '<webhook-path>': '2d80209a-b875-4744-a1a2-89fc79261307' });
    // GG3's example: https://webhook.site/2d80…?userId={userId}&clickId={clickId}&event=registration
    expect(sent(config, { ...sample, type: 'registration' }).url).toBe('https://webhook.site/2d80209a-b875-4744-a1a2-89fc79261307?userId=3410444&clickId=kt-5f2c9a&event=registration');
    expect(config.retry).toEqual({ kind: 'linear', intervalMs: 60_000, resends: 5 });
  });

  it("posts MomentScience's JSON postback, 200 OK only, on its 0/60/90/120/150 s schedule", () => {
    const request = sent(configOf('momentscience'));
    expect(request.method).toBe('POST');
    // MomentScience's POST example, the payload carrying the user.
    expect(JSON.parse(request.body!)).toEqual({ offer_id: '1511', advertiser_name: 'momentscience', payout: '2.10', payload: { user_id: '3410444' }, timestamp: '2023-09-20T15:27:40.802Z', is_loyaltyboost: '0' });
    expect(request.headers['content-type']).toBe('application/json');
    expect(configOf('momentscience')).toMatchObject({ success: { kind: 'status', status: 200 }, retry: { kind: 'schedule', delaysMs: [0, 60_000, 90_000, 120_000, 150_000] } });
  });

  it('signs the Standard Webhooks event so a receiver library verifies it', () => {
    const secret = generateSigningSecret();
    const request = sent(configOf('standard-webhooks'), sample, [secret]);
    expect(new Webhook(secret).verify(request.body!, request.headers)).toMatchObject({ type: 'conversion', data: { transaction_id: 'order-1001', amount: '2.10', user_id: '3410444' } });
  });

  it('lets a destination replace any top-level key of its preset, and keep the rest', () => {
    const merged = withPreset('keitaro', { url: 'https://t.example/k/postback?subid={click_id}&status=lead', retry: { kind: 'schedule', delaysMs: [0] } });
    expect(merged).toEqual({ url: 'https://t.example/k/postback?subid={click_id}&status=lead', method: 'GET', retry: { kind: 'schedule', delaysMs: [0] }, success: { kind: '2xx' } });
  });
});

describe('an imported signing secret', () => {
  const base64 = (bytes: number) => Buffer.alloc(bytes, 9).toString('base64');
  it('takes whsec_ and canonical base64 of 24 to 64 bytes', () => {
    expect(signingSecretProblem(generateSigningSecret())).toBeNull();
    expect(signingSecretProblem(`whsec_${base64(24)}`)).toBeNull();
    expect(signingSecretProblem(`whsec_${base64(64)}`)).toBeNull();
    // Svix's documented example secret.
    expect(signingSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeNull();
  });
  it('refuses anything else, saying why', () => {
    expect(signingSecretProblem(base64(32))).toBe('must start with whsec_');
    expect(signingSecretProblem('whsec_not base64!')).toBe('must be whsec_ followed by base64');
    expect(signingSecretProblem('whsec_')).toBe('must be whsec_ followed by base64');
    expect(signingSecretProblem(`whsec_${base64(23)}`)).toBe('must hold 24 to 64 bytes (it holds 23)');
    expect(signingSecretProblem(`whsec_${base64(65)}`)).toBe('must hold 24 to 64 bytes (it holds 65)');
  });
});
