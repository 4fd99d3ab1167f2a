import { Type, type Static } from 'typebox';
import { isUuid } from '../../lib/ids.js';
import { renderMacros } from '../../lib/macros.js';

/**
 * A tracking link's behaviour. It redirects either to a target URL template (macros filled
 * from the click) or to a Play Store listing whose `referrer` carries exactly `pid`, `uid`
 * and `gid` (as the partner postback API expects), from which the game later reports levels
 * with those same values.
 */
export const LinkConfigSchema = Type.Object(
  {
    target: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description:
          'Where the click goes: an http(s) URL template. Macros: {click_id}, {sub}, {user_id}, {partner}, {partner_click_id}, {offer_id}, {link_id}, and any query parameter of the click by name. Values are URL-encoded.',
        examples: ['https://gg3.xyz/quests/complete-50-quests?click_id={click_id}&provider={partner}'],
      }),
    ),
    playStore: Type.Optional(
      Type.Object(
        {
          package: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.]+$', description: "The game's application id, e.g. com.example.game" }),
          pid: Type.String({ minLength: 1, maxLength: 200, description: 'The reward app (store app pid) sent as `pid` in the referrer' }),
        },
        { additionalProperties: false, description: 'Redirect to the Play Store listing with an install referrer, as the partner postback API expects: pid, uid (the user), gid (the offer)' },
      ),
    ),
    partnerClickIdParam: Type.String({
      default: 'click_id',
      minLength: 1,
      maxLength: 64,
      description: "The query parameter carrying the partner's own click id, kept with the click and sent back in the partner's postback",
    }),
  },
  { additionalProperties: false, title: 'LinkConfig' },
);
export type LinkConfig = Static<typeof LinkConfigSchema>;

/** A link's config must name exactly one way to redirect; answers the problem, or null. */
export function linkConfigProblem(config: LinkConfig): { field: string; message: string } | null {
  if ((config.target === undefined) === (config.playStore === undefined)) {
    return { field: 'config', message: 'set exactly one of config.target (a URL template) or config.playStore' };
  }
  if (config.target !== undefined) {
    // Checked with every macro empty: what is left must be an absolute http(s) URL.
    const bare = renderMacros(config.target, {}, 'url', 'empty');
    let url: URL | null = null;
    try {
      url = new URL(bare.ok ? bare.text : config.target);
    } catch {
      // not a URL
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return { field: 'config.target', message: 'must be an absolute http(s) URL (macros allowed)' };
    }
  }
  return null;
}

export interface ClickFacts {
  clickId: string;
  linkId: string;
  offerId: string;
  partner: string | null;
  /** `sub` or `user_id` of the click: the user as the referring side knows them. */
  userId: string | null;
  partnerClickId: string | null;
  /** The click's own query parameters. */
  query: Record<string, string>;
}

/** The user a click names: `sub` (Gamezop and most walls) or `user_id`/`uid`. */
export function clickUser(query: Record<string, string>): string | null {
  return query.sub || query.user_id || query.uid || null;
}

export const PLAY_STORE_DETAILS = 'https://play.google.com/store/apps/details';

/**
 * Where a click goes. Play Store mode: `referrer` is one parameter holding
 * `pid=…&uid=…&gid=…` URL-encoded, exactly as the partner postback API shows; it needs a user.
 */
export function redirectTarget(config: LinkConfig, click: ClickFacts): { ok: true; url: string } | { ok: false; field: string; message: string } {
  if (config.playStore !== undefined) {
    if (click.userId === null) return { ok: false, field: 'sub', message: 'a Play Store link needs the user: add ?sub=USER_ID' };
    // The game sends this uid back as the level postback's `uid`, which must be the user's id.
    if (!isUuid(click.userId)) return { ok: false, field: 'sub', message: "a Play Store link needs the user's id (a UUID)" };
    const referrer = new URLSearchParams({ pid: config.playStore.pid, uid: click.userId, gid: click.offerId }).toString();
    return { ok: true, url: `${PLAY_STORE_DETAILS}?id=${encodeURIComponent(config.playStore.package)}&referrer=${encodeURIComponent(referrer)}` };
  }
  const parts = compiled(config.target ?? '');
  let url = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = macroValue(parts[i]!, click);
    url += (value === undefined ? '' : encodeURIComponent(value)) + parts[i + 1]!;
  }
  return { ok: true, url };
}

function macroValue(name: string, click: ClickFacts): string | undefined {
  switch (name) {
    case 'click_id':
      return click.clickId;
    case 'sub':
      return click.query.sub ?? click.userId ?? '';
    case 'user_id':
      return click.userId ?? '';
    case 'partner':
      return click.partner ?? '';
    case 'partner_click_id':
      return click.partnerClickId ?? '';
    case 'offer_id':
      return click.offerId;
    case 'link_id':
      return click.linkId;
    default:
      return Object.hasOwn(click.query, name) ? click.query[name] : undefined;
  }
}

/**
 * A target split once into literal text and macro names, alternating (text, name, text, …):
 * a click then costs one pass of concatenation, not a regular-expression replace.
 */
const compiledTargets = new Map<string, string[]>();
function compiled(template: string): string[] {
  let parts = compiledTargets.get(template);
  if (parts === undefined) {
    // Literal text percent-encoded where a Location header cannot carry it as it is (`€`, a
    // space): such a character in a header would make Node refuse the whole answer.
    parts = template.split(/\{([A-Za-z0-9_.-]+)\}/).map((part, i) => (i % 2 === 0 ? headerSafe(part) : part));
    if (compiledTargets.size >= 1000) compiledTargets.clear();
    compiledTargets.set(template, parts);
  }
  return parts;
}

function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x7E]/gu, (character) => {
    try {
      return encodeURIComponent(character);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: the replacement character
    }
  });
}
