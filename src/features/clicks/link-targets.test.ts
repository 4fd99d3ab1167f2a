import { describe, expect, it } from 'vitest';
import { clickUser, linkConfigProblem, redirectTarget, type ClickFacts } from './link-targets.js';

const click = (over: Partial<ClickFacts> = {}): ClickFacts => ({
  clickId: 'C1',
  linkId: 'L1',
  offerId: 'my_game',
  partner: 'gg3-partner',
  userId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  partnerClickId: '67890',
  query: {},
  ...over,
});

describe('tracking link targets', () => {
  it('fills the target template, URL-encoding every value, with any query parameter of the click', () => {
    const result = redirectTarget(
      { target: 'https://gg3.xyz/quests/complete-50-quests?click_id={click_id}&provider={partner}&u={sub}&c={campaign}&x={nope}', partnerClickIdParam: 'click_id' },
      click({ userId: 'u 1&2', query: { sub: 'u 1&2', campaign: 'spring/24' } }),
    );
    expect(result).toEqual({ ok: true, url: 'https://gg3.xyz/quests/complete-50-quests?click_id=C1&provider=gg3-partner&u=u%201%262&c=spring%2F24&x=' });
  });

  it('builds the Play Store URL of the partner postback API, whose referrer decodes to exactly pid, uid and gid', () => {
    const result = redirectTarget({ playStore: { package: 'com.example.game', pid: 'cashgiraffe' }, partnerClickIdParam: 'click_id' }, click());
    expect(result).toEqual({
      ok: true,
      url: 'https://play.google.com/store/apps/details?id=com.example.game&referrer=pid%3Dcashgiraffe%26uid%3Da1b2c3d4-e5f6-7890-abcd-ef1234567890%26gid%3Dmy_game',
    });
    if (!result.ok) return;
    const referrer = new URL(result.url).searchParams.get('referrer')!;
    expect(Object.fromEntries(new URLSearchParams(referrer))).toEqual({ pid: 'cashgiraffe', uid: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', gid: 'my_game' });
  });

  it('refuses a Play Store click without a user', () => {
    expect(redirectTarget({ playStore: { package: 'com.example.game', pid: 'p' }, partnerClickIdParam: 'click_id' }, click({ userId: null }))).toMatchObject({ ok: false, field: 'sub' });
  });

  it('takes the user from sub, user_id or uid', () => {
    expect(clickUser({ sub: 'd73e8d1d' })).toBe('d73e8d1d');
    expect(clickUser({ user_id: '12345' })).toBe('12345');
    expect(clickUser({ uid: 'x' })).toBe('x');
    expect(clickUser({ sub: '' })).toBeNull();
  });

  it('accepts exactly one redirect mode, and only http(s) targets', () => {
    expect(linkConfigProblem({ partnerClickIdParam: 'click_id' })).toMatchObject({ field: 'config' });
    expect(linkConfigProblem({ target: 'https://a.example/{click_id}', playStore: { package: 'a', pid: 'b' }, partnerClickIdParam: 'click_id' })).toMatchObject({ field: 'config' });
    expect(linkConfigProblem({ target: 'javascript:alert(1)', partnerClickIdParam: 'click_id' })).toMatchObject({ field: 'config.target' });
    expect(linkConfigProblem({ target: '{click_id}', partnerClickIdParam: 'click_id' })).toMatchObject({ field: 'config.target' });
    expect(linkConfigProblem({ target: 'https://www.gamezop.com/g/9lpHai56Q?sub={sub}', partnerClickIdParam: 'click_id' })).toBeNull();
  });
});
