import type { ApiSecretsTable } from '../../db/schema.js';
import type { ApiSecretRecord } from './api-secrets-types.js';
import type { HubDb } from '../procedures.js';
import { type ListOptions, type Page, page } from '../../db/paging.js';
export function apiSecretFromRow(row: Omit<ApiSecretsTable, 'secret_hash'>): ApiSecretRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

const SHOWN = ['id', 'name', 'prefix', 'created_at', 'revoked_at'] as const;

/** Partner API secrets: only their hashes are stored. */
export function apiSecretsDal(db: HubDb) {
  return {
    async createApiSecret(secret: ApiSecretRecord & { secretHash: string }): Promise<ApiSecretRecord> {
      const query = db.kysely
        .insertInto('api_secrets')
        .values({ id: secret.id, name: secret.name, secret_hash: secret.secretHash, prefix: secret.prefix, created_at: secret.createdAt, revoked_at: null })
        .returning(SHOWN);
      const row = await db.executeOne(query.compile());
      if (row === undefined) throw new Error('insert into api_secrets returned no row');
      return apiSecretFromRow(row);
    },
    listApiSecrets(options: ListOptions): Promise<Page<ApiSecretRecord>> {
      return db.read((k) => page(k.selectFrom('api_secrets').select(SHOWN), 'id', 'desc', options, apiSecretFromRow));
    },
    async revokeApiSecret(id: string, now: number): Promise<ApiSecretRecord | null> {
      // Revoking twice keeps the first revocation time.
      const query = db.kysely
        .updateTable('api_secrets')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
        .where('id', '=', id)
        .returning(SHOWN);
      const row = await db.executeOne(query.compile());
      return row === undefined ? null : apiSecretFromRow(row);
    },
    findActiveApiSecret(secretHash: string): Promise<{ id: string } | null> {
      return db.read(async (k) => (await k.selectFrom('api_secrets').select('id').where('secret_hash', '=', secretHash).where('revoked_at', 'is', null).executeTakeFirst()) ?? null);
    },
  };
}

export type ApiSecretsDal = ReturnType<typeof apiSecretsDal>;
