import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
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
 * Checks partner secrets, remembering verified ones for a second so that a busy partner costs
 * one map lookup per postback instead of a hash and a store read. Unknown secrets are never
 * remembered (a new secret works at once); a revocation clears this process's memory at once
 * and reaches other processes sharing the database within `ttlMs`.
 */
export class ApiSecretVerifier {
  private readonly verified = new Map<string, { id: string; until: number }>();

  constructor(
    private readonly store: Pick<ApiSecretsDal, 'findActiveApiSecret'>,
    private readonly clock: Clock,
    private readonly ttlMs = 1000,
  ) {}

  async verify(secret: string): Promise<{ id: string } | null> {
    const now = this.clock.now();
    // Keyed by the secret itself (in this process's memory only): a hit costs no hashing.
    const known = this.verified.get(secret);
    if (known !== undefined && known.until > now) return { id: known.id };
    const found = await this.store.findActiveApiSecret(hashSecret(secret));
    if (found === null) {
      this.verified.delete(secret);
      return null;
    }
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(secret, { id: found.id, until: now + this.ttlMs });
    return found;
  }

  forget(): void {
    this.verified.clear();
  }
}
