import { describe, expect, it } from 'vitest';
import { changesBetween, withoutSecrets } from './changes.js';

describe('audit changes', () => {
  it('keeps the fields that changed, and only those', () => {
    expect(changesBetween({ id: 'd1', name: 'GG3', enabled: true, updatedAt: 'a' }, { id: 'd1', name: 'GG3 webhooks', enabled: true, updatedAt: 'b' })).toEqual({
      name: { before: 'GG3', after: 'GG3 webhooks' },
    });
    expect(changesBetween({ config: { url: 'https://a' } }, { config: { url: 'https://b' } })).toEqual({ config: { before: { url: 'https://a' }, after: { url: 'https://b' } } });
  });

  it('shows a created resource from nothing, a deleted one to nothing', () => {
    expect(changesBetween(null, { id: 'g1', name: 'Goal' })).toEqual({ id: { before: null, after: 'g1' }, name: { before: null, after: 'Goal' } });
    expect(changesBetween({ id: 'g1' }, null)).toEqual({ id: { before: 'g1', after: null } });
  });

  it('never shows a secret, at any depth, but says whether one is set', () => {
    const created = { id: 's1', secret: 'pbh_abc', key: 'pbk_def', hasSecret: true, config: { bearerToken: 'tok', headers: { 'x-api-token': 'tok2' } }, prefix: 'pbk_def' };
    expect(withoutSecrets(created)).toEqual({ id: 's1', secret: '[hidden]', key: '[hidden]', hasSecret: true, config: { bearerToken: '[hidden]', headers: { 'x-api-token': '[hidden]' } }, prefix: 'pbk_def' });
    expect(JSON.stringify(changesBetween({ secret: 'old-secret' }, { secret: 'new-secret' }))).not.toMatch(/old-secret|new-secret/);
  });
});
