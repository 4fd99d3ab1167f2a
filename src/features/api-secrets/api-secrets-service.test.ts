import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../lib/secrets.js';
import { ApiSecretVerifier } from './api-secrets-service.js';

function fakeStore(active: Map<string, string>) {
  let reads = 0;
  return {
    reads: () => reads,
    findActiveApiSecret(hash: string) {
      reads++;
      const id = active.get(hash);
      return Promise.resolve(id === undefined ? null : { id });
    },
  };
}

describe('ApiSecretVerifier', () => {
  it('remembers a verified secret for the TTL, then asks the store again', async () => {
    const active = new Map([[hashSecret('pbh_good'), 'secret-1']]);
    const store = fakeStore(active);
    let now = 0;
    const verifier = new ApiSecretVerifier(store, { now: () => now }, 1000);

    expect(await verifier.verify('pbh_good')).toEqual({ id: 'secret-1' });
    now = 999;
    expect(await verifier.verify('pbh_good')).toEqual({ id: 'secret-1' });
    expect(store.reads()).toBe(1);

    // Revoked in another process: noticed once the TTL has passed.
    active.clear();
    now = 1000;
    expect(await verifier.verify('pbh_good')).toBeNull();
    expect(store.reads()).toBe(2);
  });

  it('never remembers an unknown secret, so a new one works at once', async () => {
    const active = new Map<string, string>();
    const store = fakeStore(active);
    const verifier = new ApiSecretVerifier(store, { now: () => 0 });
    expect(await verifier.verify('pbh_new')).toBeNull();
    active.set(hashSecret('pbh_new'), 'secret-2');
    expect(await verifier.verify('pbh_new')).toEqual({ id: 'secret-2' });
  });

  it('forgets everything when told (a local revocation)', async () => {
    const active = new Map([[hashSecret('pbh_good'), 'secret-1']]);
    const store = fakeStore(active);
    const verifier = new ApiSecretVerifier(store, { now: () => 0 });
    await verifier.verify('pbh_good');
    active.clear();
    verifier.forget();
    expect(await verifier.verify('pbh_good')).toBeNull();
  });
});
