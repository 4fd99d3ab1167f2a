import type { Clock } from '../lib/clock.js';
import { NotFoundError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { generateSecret, hashSecret, secretPrefix } from '../lib/secrets.js';
import type { ApiSecretRecord, ListOptions, Page, Store } from '../store/store.js';

/** Partner API secrets: the secret is returned once, at creation; only its hash is kept. */
export class ApiSecretService {
  constructor(
    private readonly store: Pick<Store, 'createApiSecret' | 'listApiSecrets' | 'revokeApiSecret'>,
    private readonly clock: Clock,
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
    if (record === null) throw new NotFoundError(`No API secret with id "${id}"`, 'id');
    return record;
  }
}
