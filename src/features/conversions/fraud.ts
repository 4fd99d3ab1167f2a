import { Type, type Static } from 'typebox';

/**
 * Attribution and fraud screening, as the operator configures them. Every check can be off,
 * flag (recorded as a reason on the event, which is still credited) or hold (recorded, not
 * credited and not forwarded to partners until an operator approves it).
 */
const Action = Type.Union([Type.Literal('off'), Type.Literal('flag'), Type.Literal('hold')], { default: 'off' });
export type FraudAction = Static<typeof Action>;
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000 });

export const FraudPolicySchema = Type.Object(
  {
    attributionWindowDays: Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'How long after a click a conversion is attributed to it' }),
    unknownClick: Type.Union([Type.Literal('off'), Type.Literal('flag'), Type.Literal('hold')], {
      default: 'flag',
      description: 'A conversion carries a click id the hub never issued, or one older than the window',
    }),
    fastConversion: Type.Object({ action: Action, seconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 10 }) }, {
      default: { action: 'off', seconds: 10 },
      description: 'Converted sooner after the click than a human could',
    }),
    clicksPerIp: Type.Object({ action: Action, max: { ...Count, default: 20 }, windowMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 60 }) }, {
      default: { action: 'off', max: 20, windowMinutes: 60 },
      description: "More than `max` clicks from the attributed click's IP address within the window before it",
    }),
    perUserPerDay: Type.Object({ action: Action, max: { ...Count, default: 50 } }, { default: { action: 'off', max: 50 }, description: 'Conversions by one user in a UTC day' }),
    perOfferPerDay: Type.Object({ action: Action, max: { ...Count, default: 10_000 } }, { default: { action: 'off', max: 10_000 }, description: 'Conversions of one offer in a UTC day' }),
    perUserPerOffer: Type.Object({ action: Action, max: { ...Count, default: 1 } }, { default: { action: 'off', max: 1 }, description: 'Conversions by one user of one offer, ever' }),
    repeatOfferCredit: Type.Union([Type.Literal('off'), Type.Literal('flag'), Type.Literal('hold')], {
      default: 'off',
      description: 'A user credited by the same offer a second time (for one-time offers)',
    }),
  },
  { additionalProperties: false, title: 'FraudPolicy' },
);
export type FraudPolicy = Static<typeof FraudPolicySchema>;

export const DEFAULT_FRAUD_POLICY: FraudPolicy = {
  attributionWindowDays: 30,
  unknownClick: 'flag',
  fastConversion: { action: 'off', seconds: 10 },
  clicksPerIp: { action: 'off', max: 20, windowMinutes: 60 },
  perUserPerDay: { action: 'off', max: 50 },
  perOfferPerDay: { action: 'off', max: 10_000 },
  perUserPerOffer: { action: 'off', max: 1 },
  repeatOfferCredit: 'off',
};

export type FraudCheck = 'unknown_click' | 'expired_click' | 'fast_conversion' | 'clicks_per_ip' | 'per_user_per_day' | 'per_offer_per_day' | 'per_user_per_offer' | 'repeat_offer_credit';

export interface FraudFlag {
  check: FraudCheck;
  action: 'flag' | 'hold';
  detail: string;
}

/** What the click side tells: found before the recording transaction (clicks never change). */
export interface ClickEvidence {
  /** The conversion named a click id (as opposed to being matched by user and offer). */
  clickIdGiven: string | null;
  click: { createdAt: number; ip: string | null } | null;
  /** Clicks from the click's IP in the window before it, itself included. */
  clicksFromIp: number;
  now: number;
}

export function clickFlags(policy: FraudPolicy, evidence: ClickEvidence): FraudFlag[] {
  const flags: FraudFlag[] = [];
  const windowMs = policy.attributionWindowDays * 86_400_000;
  const { click, now } = evidence;
  if (evidence.clickIdGiven !== null && policy.unknownClick !== 'off') {
    if (click === null) flags.push({ check: 'unknown_click', action: policy.unknownClick, detail: `click id "${evidence.clickIdGiven}" was never issued` });
    else if (now - click.createdAt > windowMs) {
      flags.push({ check: 'expired_click', action: policy.unknownClick, detail: `the click is ${Math.floor((now - click.createdAt) / 86_400_000)} days old; the window is ${policy.attributionWindowDays}` });
    }
  }
  // The other checks judge the click the conversion is attributed to: one inside the window.
  if (click === null || now - click.createdAt > windowMs) return flags;
  const { fastConversion, clicksPerIp } = policy;
  const seconds = (now - click.createdAt) / 1000;
  if (fastConversion.action !== 'off' && seconds < fastConversion.seconds) {
    flags.push({ check: 'fast_conversion', action: fastConversion.action, detail: `converted ${seconds.toFixed(1)} s after the click (minimum ${fastConversion.seconds} s)` });
  }
  if (clicksPerIp.action !== 'off' && evidence.clicksFromIp > clicksPerIp.max) {
    flags.push({ check: 'clicks_per_ip', action: clicksPerIp.action, detail: `${evidence.clicksFromIp} clicks from ${click.ip ?? 'one address'} within ${clicksPerIp.windowMinutes} min (maximum ${clicksPerIp.max})` });
  }
  return flags;
}

/** The checks the recording transaction runs, with the counts it takes there. */
export interface CapRules {
  perUserPerDay?: { action: 'flag' | 'hold'; max: number };
  perOfferPerDay?: { action: 'flag' | 'hold'; max: number };
  perUserPerOffer?: { action: 'flag' | 'hold'; max: number };
  repeatOfferCredit?: 'flag' | 'hold';
}

export function capRules(policy: FraudPolicy): CapRules | null {
  const rules: CapRules = {};
  if (policy.perUserPerDay.action !== 'off') rules.perUserPerDay = { action: policy.perUserPerDay.action, max: policy.perUserPerDay.max };
  if (policy.perOfferPerDay.action !== 'off') rules.perOfferPerDay = { action: policy.perOfferPerDay.action, max: policy.perOfferPerDay.max };
  if (policy.perUserPerOffer.action !== 'off') rules.perUserPerOffer = { action: policy.perUserPerOffer.action, max: policy.perUserPerOffer.max };
  if (policy.repeatOfferCredit !== 'off') rules.repeatOfferCredit = policy.repeatOfferCredit;
  return Object.keys(rules).length === 0 ? null : rules;
}

/** Earlier conversions, counted inside the transaction (this one not included). */
export interface ConversionCounts {
  userToday: number;
  offerToday: number;
  userOffer: number;
  /** The user's earlier credited conversions of this offer. */
  userOfferCredited: number;
}

export function capFlags(rules: CapRules, counts: ConversionCounts, credits: boolean): FraudFlag[] {
  const flags: FraudFlag[] = [];
  const over = (rule: { action: 'flag' | 'hold'; max: number } | undefined, count: number, check: FraudCheck, what: string) => {
    if (rule !== undefined && count + 1 > rule.max) flags.push({ check, action: rule.action, detail: `conversion ${count + 1} ${what} (maximum ${rule.max})` });
  };
  over(rules.perUserPerDay, counts.userToday, 'per_user_per_day', 'by this user today');
  over(rules.perOfferPerDay, counts.offerToday, 'per_offer_per_day', 'of this offer today');
  over(rules.perUserPerOffer, counts.userOffer, 'per_user_per_offer', 'of this offer by this user');
  if (rules.repeatOfferCredit !== undefined && credits && counts.userOfferCredited > 0) {
    flags.push({ check: 'repeat_offer_credit', action: rules.repeatOfferCredit, detail: 'this user was already credited for this offer' });
  }
  return flags;
}

/** Held if any finding says hold; flagged if any finding at all. */
export function reviewOf(flags: readonly FraudFlag[]): 'held' | 'flagged' | null {
  if (flags.some((f) => f.action === 'hold')) return 'held';
  return flags.length > 0 ? 'flagged' : null;
}
