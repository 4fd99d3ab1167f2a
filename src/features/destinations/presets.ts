import type { DestinationConfig } from './definition.js';
import { DEFAULT_POLICY, GG3_POLICY, MOMENTSCIENCE_POLICY, type RetryPolicy } from './retry-policies.js';

/**
 * Built-in destination presets: a partner's or tracker's postback format as plain data over the
 * generic machinery (URL template with {macros}, method, body, signing, retry, success rule).
 * A destination created with `preset: 'keitaro'` starts from the preset's config and the
 * operator's `config` replaces any top-level key of it (as sources do); what is stored is the
 * whole resulting config, so a later change to a preset never changes a destination in use.
 *
 * `<name>` in a preset's URL is a value only the operator knows (the tracker's domain, its
 * postback key): `fill` lists them, and a destination is refused while its URL still has one.
 * The macros the trackers get are the hub's own (request.ts): `{click_id}` is the click id the
 * tracker put on the click (the partner's, else the hub's), `{transaction_id}` the conversion's
 * own id, `{payout}` its amount as a decimal string.
 */
export interface DestinationPreset {
  title: string;
  /** One line: what it is for (the dashboard shows it). */
  description: string;
  /** The `<placeholders>` in `config.url` the operator must replace, with an example value each. */
  fill: readonly PresetFill[];
  config: Partial<DestinationConfig> & Pick<DestinationConfig, 'url'>;
}

export interface PresetFill {
  placeholder: `<${string}>`;
  label: string;
  example: string;
}

/**
 * Trackers record a conversion once per click and attribute within days: a dozen tries over
 * about six hours (30 s doubling to an hour) outlasts a tracker's restart without flooding it.
 */
export const TRACKER_RETRY: RetryPolicy = { kind: 'exponential', baseMs: 30_000, capMs: 3_600_000, maxAttempts: 12, jitter: true };

const domain = (label: string, example: string): PresetFill => ({ placeholder: '<tracker-domain>', label, example });

export const DESTINATION_PRESETS = {
  /**
   * GG3's own webhooks, as GG3 sends them to its partners (GG3 "Postback S2S" guide, Media
   * Buying: `https://webhook.site/2d80…?userId={userId}&clickId={clickId}&event=registration`):
   * a GET with the partner's user and click ids and the event's name. "5 resends, increasing the
   * delay by multiplying the number of attempts by the initial time interval": linear, 60 s.
   */
  gg3: {
    title: 'GG3 webhooks',
    description: "GG3's webhook: userId, clickId and the event on a GET; 5 resends, the n-th after n × 60 s",
    fill: [
      { placeholder: '<partner-domain>', label: "Partner's webhook domain", example: 'webhook.site' },
      { placeholder: '<webhook-path>', label: "Partner's webhook path", example: '2d80209a-b875-4744-a1a2-89fc79261307' },
    ],
    config: {
      url: 'https://<partner-domain>/<webhook-path>?userId={userId}&clickId={clickId}&event={event}',
      method: 'GET',
      retry: GG3_POLICY,
      success: { kind: '2xx' },
    },
  },

  /**
   * MomentScience-style postbacks (MomentScience "Handling Postback Events"): POST JSON with
   * `offer_id`, `advertiser_name`, `payout` (USD), `payload` (what was passed when serving the
   * offer: the user), ISO-8601 `timestamp`, `is_loyaltyboost`. Delivered when the receiver
   * answers 200 OK; otherwise retried 0, 60, 90, 120, 150 s after each failure.
   */
  momentscience: {
    title: 'MomentScience-style postbacks',
    description: 'MomentScience’s JSON postback (offer, advertiser, payout, payload.user_id); 200 OK, retried at 0/60/90/120/150 s',
    fill: [
      { placeholder: '<partner-domain>', label: "Receiver's domain", example: 'api.example.com' },
      { placeholder: '<postback-path>', label: "Receiver's path", example: 'momentscience/postbacks' },
    ],
    config: {
      url: 'https://<partner-domain>/<postback-path>',
      method: 'POST',
      body: '{"offer_id":"{offer_id}","advertiser_name":"{advertiser_name}","payout":"{payout}","payload":{"user_id":"{user_id}"},"timestamp":"{occurred_at}","is_loyaltyboost":"{is_loyaltyboost}"}',
      retry: MOMENTSCIENCE_POLICY,
      success: { kind: 'status', status: 200 },
    },
  },

  /**
   * Standard Webhooks (standardwebhooks.com): a JSON `{type, timestamp, data}` body signed with
   * `webhook-id`, `webhook-timestamp`, `webhook-signature` under a `whsec_` secret (generated, or
   * an existing one imported); the spec's exponential retries.
   */
  'standard-webhooks': {
    title: 'Standard Webhooks (signed JSON)',
    description: 'A signed JSON event ({type, timestamp, data}) any Standard Webhooks library verifies; exponential retries for a day',
    fill: [
      { placeholder: '<receiver-domain>', label: "Receiver's domain", example: 'hooks.example.com' },
      { placeholder: '<webhook-path>', label: "Receiver's path", example: 'postback-hub' },
    ],
    config: {
      url: 'https://<receiver-domain>/<webhook-path>',
      method: 'POST',
      body: '{"type":"{event_type}","timestamp":"{timestamp}","data":{"event_id":"{event_id}","source":"{source}","user_id":"{user_id}","offer_id":"{offer_id}","click_id":"{click_id}","transaction_id":"{transaction_id}","amount":"{amount}","currency":"{currency}","coins":"{coins}","occurred_at":"{occurred_at}"}}',
      signing: { kind: 'standard-webhooks' },
      retry: DEFAULT_POLICY,
      success: { kind: '2xx' },
    },
  },

  /**
   * Keitaro (https://docs.keitaro.io/en/conversions/postback.html): `https://DOMAIN/KEY/postback`
   * (Maintenance → Postback URL; its example `https://example.com/key/postback?status=lead&payout=10&currency=EUR`)
   * with `subid` (required: Keitaro's click id), `status` (lead, sale, rejected; `sale` here:
   * the payout is confirmed), `payout`, `currency`, `tid` (the conversion's own id, so rebills count).
   */
  keitaro: {
    title: 'Keitaro',
    description: 'Keitaro’s postback: subid, status=sale, payout, currency, tid',
    fill: [domain('Keitaro tracker domain', 'track.example.com'), { placeholder: '<postback-key>', label: 'Keitaro postback key (Maintenance → Postback URL)', example: 'e89bcbe' }],
    config: {
      url: 'https://<tracker-domain>/<postback-key>/postback?subid={click_id}&status=sale&payout={payout}&currency={currency}&tid={transaction_id}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },

  /**
   * Everflow S2S (advertiser) postback (https://helpdesk.everflow.io/customer/accessing-editing-s2s-postback-urls):
   * `nid` (the network id, constant) and `transaction_id` (Everflow's click id) are required;
   * `amount` is the sale amount. Everflow's pages give the parameters, not a whole example URL:
   * the URL here is its global postback on the network's tracking domain with those three.
   */
  everflow: {
    title: 'Everflow',
    description: 'Everflow’s S2S postback: nid, transaction_id (its click id), amount',
    fill: [domain('Everflow tracking domain', 'www.example-tracking.com'), { placeholder: '<network-id>', label: 'Everflow network id (nid)', example: '123' }],
    config: {
      url: 'https://<tracker-domain>/?nid=<network-id>&transaction_id={click_id}&amount={amount}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },

  /**
   * Affise postback (https://help-center.affise.com/en/articles/6475468-affise-postback-url-parameters;
   * example `http://offers.admin.affise.com/postback?clickid={sub1}&action_id={transactionid}`):
   * `clickid` (required), `action_id` (the conversion's id in the advertiser's system), `sum`
   * (revenue), `status` (1 approved, 2 pending, 3 declined, 5 hold).
   */
  affise: {
    title: 'Affise',
    description: 'Affise’s postback: clickid, action_id, sum, status=1 (approved)',
    fill: [domain('Affise tracking domain', 'offers.admin.affise.com')],
    config: {
      url: 'https://<tracker-domain>/postback?clickid={click_id}&action_id={transaction_id}&sum={payout}&status=1',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },

  /**
   * TUNE (HasOffers) server postback with transaction id
   * (https://support.tune.com/hc/en-us/articles/4413247665431-Receiving-Conversions-via-Postback-URL:
   * `http://examplenetwork.go2cloud.org/aff_lsr?offer_id=26&transaction_id=TRANSACTION_ID`), with
   * the sale `amount` and `adv_sub` (advertiser sub id: the conversion's own id). TUNE answers
   * `success=true;` to a conversion it took and an error text otherwise (an unknown or
   * duplicate transaction id), both with 200: only the first counts as delivered.
   */
  tune: {
    title: 'TUNE (HasOffers)',
    description: 'TUNE/HasOffers aff_lsr postback: offer_id, transaction_id, amount, adv_sub; delivered on “success=true;”',
    fill: [
      { placeholder: '<network-id>', label: 'TUNE network id (NETWORK.go2cloud.org)', example: 'examplenetwork' },
      { placeholder: '<offer-id>', label: 'TUNE offer id', example: '26' },
    ],
    config: {
      url: 'https://<network-id>.go2cloud.org/aff_lsr?offer_id=<offer-id>&transaction_id={click_id}&amount={amount}&adv_sub={transaction_id}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: 'body', equals: 'success=true;' },
    },
  },

  /**
   * Voluum (https://doc.voluum.com/en/submitting_postback_url.html:
   * `https://voluum_dedicated_domain.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL`):
   * `cid` (required: Voluum's click id), `payout`, `txid` (a unique transaction id).
   */
  voluum: {
    title: 'Voluum',
    description: 'Voluum’s postback: cid, payout, txid',
    fill: [domain('Voluum dedicated domain', 'track.example.com')],
    config: {
      url: 'https://<tracker-domain>/postback?cid={click_id}&payout={payout}&txid={transaction_id}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },

  /**
   * Binom (https://docs.binom.org/postback-url.php:
   * `click.php?cnv_id={NETWORK_TOKEN}&payout={PAYOUT_TOKEN}&cnv_status={CONVERSION_STAUS}`):
   * `cnv_id` (Binom's click id), `payout`, `cnv_status` (any text: the hub's event type).
   */
  binom: {
    title: 'Binom',
    description: 'Binom’s click.php postback: cnv_id, payout, cnv_status (the event type)',
    fill: [domain('Binom tracker domain', 'binom.example.com')],
    config: {
      url: 'https://<tracker-domain>/click.php?cnv_id={click_id}&payout={payout}&cnv_status={event_type}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },

  /**
   * RedTrack (https://redtrack.zendesk.com/hc/en-us/articles/207082019-Step-2-Adding-Affiliate-Networks:
   * template `https://DOMAIN/postback?clickid={replace_me}&sum={replace_or_remove}`): `clickid`
   * (RedTrack's click id) and `sum` (the payout). A conversion type (`&type=Deposit`) must match
   * one set up in RedTrack, so it is left for the operator to add.
   */
  redtrack: {
    title: 'RedTrack',
    description: 'RedTrack’s postback: clickid, sum',
    fill: [domain('RedTrack tracking domain', 'track.example.com')],
    config: {
      url: 'https://<tracker-domain>/postback?clickid={click_id}&sum={payout}',
      method: 'GET',
      retry: TRACKER_RETRY,
      success: { kind: '2xx' },
    },
  },
} as const satisfies Record<string, DestinationPreset>;

export type DestinationPresetName = keyof typeof DESTINATION_PRESETS;

export function isDestinationPreset(name: string): name is DestinationPresetName {
  return Object.hasOwn(DESTINATION_PRESETS, name);
}

/** A preset's config under the operator's: each top-level key given replaces the preset's. */
export function withPreset(name: DestinationPresetName, config: Partial<DestinationConfig>): Partial<DestinationConfig> & Pick<DestinationConfig, 'url'> {
  return { ...(DESTINATION_PRESETS[name].config as DestinationPreset['config']), ...config };
}

/** `<placeholders>` left in a URL: values the operator was to fill in. */
export function unfilledPlaceholders(url: string): string[] {
  return [...new Set(url.match(/<[a-z][a-z0-9-]*>/g) ?? [])];
}

/** A preset's URL with its placeholders replaced by the given values (or their examples). */
export function fillPlaceholders(preset: DestinationPreset, values: Readonly<Record<string, string>> = {}): string {
  let url: string = preset.config.url;
  for (const f of preset.fill) url = url.split(f.placeholder).join(values[f.placeholder] ?? f.example);
  return url;
}
