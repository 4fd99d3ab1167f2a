import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { generateSecret, hashSecret, secretPrefix } from '../../lib/secrets.js';
import type { ApiSecretRecord } from './api-secrets-types.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { ApiSecretsDal } from './api-secrets-dal.js';

/** Partner API secrets: the secret is returned once, at creation; only its hash is kept. */
export class ApiSecretService {
  constructor(
    private readonly store: Pick<ApiSecretsDal, 'createApiSecret' | 'listApiSecrets' | 'revokeApiSecret'>,
    private readonly clock: Clock,
    private readonly onRevoke: () => void = () => {},
  ) {}

  async create(input: { name?: string | null }): Promise<ApiSecretRecord & { secret: string }> {
    const secret = generateSecret();
    const record = await this.store.createApiSecret({
      id: newId(),
      name: input.name ?? null,
      prefix: secretPrefix(secret),
      secretHash: hashSecret(secret),
      createdAt: this.clock.now(),
      revokedAt: null,
    });
    return { ...record, secret };
  }

  list(options: ListOptions): Promise<Page<ApiSecretRecord>> {
    return this.store.listApiSecrets(options);
  }

  async revoke(id: string): Promise<ApiSecretRecord> {
    const record = await this.store.revokeApiSecret(id, this.clock.now());
    this.onRevoke();
    if (record === null) throw new NotFoundError(`No API secret with id "${id}"`, 'id');
    return record;
  }
}

/**
 * Checks partner secrets, remembering verified ones for a while so that a busy partner's
 * postbacks are not each a hash and a store read. Unknown secrets are never remembered (a new
 * secret works at once); a revocation clears this process's memory at once and reaches other
 * processes sharing the database within `ttlMs`.
 */
export class ApiSecretVerifier {
  /** Keyed by the secret itself, in this process's memory only, so that a hit needs no hash. */
  private readonly verified: TtlCache<string, { id: string } | null>;

  constructor(
    private readonly store: Pick<ApiSecretsDal, 'findActiveApiSecret'>,
    clock: Clock,
    ttlMs = 1000,
  ) {
    this.verified = new TtlCache(clock, ttlMs);
  }

  async verify(secret: string): Promise<{ id: string } | null> {
    const found = await this.verified.getOrLoad(secret, () => this.store.findActiveApiSecret(hashSecret(secret)), (known) => known !== null);
    return found === null ? null : { id: found.id };
  }

  /** A secret was revoked here: no verification made before is used again. */
  forget(): void {
    this.verified.clear();
  }
}
