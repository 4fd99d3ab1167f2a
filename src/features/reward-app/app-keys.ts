import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, UnauthorizedError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { hashSecret, secretPrefix } from '../../lib/secrets.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { parseJson, type AppKeysTable } from '../../db/schema.js';
import type { HubDb } from '../procedures.js';
import { type ListOptions, type Page, page } from '../../db/paging.js';

/** What an app key may do: each route of the app API names the one it needs. */
export const APP_KEY_SCOPES = ['balances:read', 'feed:read', 'feed:ack', 'traces:read'] as const;
export type AppKeyScope = (typeof APP_KEY_SCOPES)[number];

export interface AppKeyRecord {
  id: string;
  appPid: string;
  name: string | null;
  prefix: string;
  scopes: AppKeyScope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A verified key: the app it speaks for and what it may do. */
export interface AppCaller {
  keyId: string;
  appPid: string;
  scopes: ReadonlySet<AppKeyScope>;
}

const SHOWN = ['id', 'app_pid', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'] as const;

function appKeyFromRow(row: Omit<AppKeysTable, 'key_hash'>): AppKeyRecord {
  return {
    id: row.id,
    appPid: row.app_pid,
    name: row.name,
    prefix: row.prefix,
    scopes: parseJson<AppKeyScope[]>(row.scopes),
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function appKeysDal(db: HubDb) {
  return {
    async create(key: AppKeyRecord & { keyHash: string }): Promise<AppKeyRecord> {
      const query = db.kysely
        .insertInto('app_keys')
        .values({ id: key.id, app_pid: key.appPid, name: key.name, key_hash: key.keyHash, prefix: key.prefix, scopes: JSON.stringify(key.scopes), created_at: key.createdAt, last_used_at: null, revoked_at: null })
        .returning(SHOWN);
      const row = await db.executeOne(query.compile());
      if (row === undefined) throw new Error('insert into app_keys returned no row');
      return appKeyFromRow(row);
    },
    list(appPid: string, options: ListOptions): Promise<Page<AppKeyRecord>> {
      return db.read((k) => page(k.selectFrom('app_keys').select(SHOWN).where('app_pid', '=', appPid), 'id', 'desc', options, appKeyFromRow));
    },
    async revoke(appPid: string, id: string, now: number): Promise<AppKeyRecord | null> {
      const query = db.kysely
        .updateTable('app_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
        .where('id', '=', id)
        .where('app_pid', '=', appPid)
        .returning(SHOWN);
      const row = await db.executeOne(query.compile());
      return row === undefined ? null : appKeyFromRow(row);
    },
    findActive(keyHash: string): Promise<AppKeyRecord | null> {
      return db.read(async (k) => {
        const row = await k.selectFrom('app_keys').select(SHOWN).where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
        return row === undefined ? null : appKeyFromRow(row);
      });
    },
    async touch(id: string, now: number): Promise<void> {
      await db.execute([db.kysely.updateTable('app_keys').set({ last_used_at: now }).where('id', '=', id).compile()]);
    },
  };
}

export type AppKeysDal = ReturnType<typeof appKeysDal>;

/** How often a key's "last used" time is written: a busy app's every request is not a write. */
const TOUCH_EVERY_MS = 60_000;

/**
 * A reward app's API keys: random, shown once, kept as SHA-256 hashes, scoped, revocable, each
 * for one store app. Verified keys are remembered for a second (as partner API secrets are); a
 * revocation clears this process's memory at once and reaches other processes within it.
 */
export class AppKeyService {
  private readonly verified: TtlCache<string, AppKeyRecord | null>;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: AppKeysDal,
    private readonly apps: { getApp(pid: string): Promise<unknown> },
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.verified = new TtlCache(clock, 1000);
  }

  async create(appPid: string, input: { name?: string | null; scopes: readonly AppKeyScope[] }): Promise<AppKeyRecord & { key: string }> {
    if ((await this.apps.getApp(appPid)) === null) throw new NotFoundError(`No store app with pid "${appPid}"`, 'pid');
    const key = `pbk_${randomBytes(32).toString('base64url')}`;
    const record = await this.store.create({
      id: newId(),
      appPid,
      name: input.name ?? null,
      prefix: secretPrefix(key),
      keyHash: hashSecret(key),
      scopes: [...new Set(input.scopes)],
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    return { ...record, key };
  }

  async list(appPid: string, options: ListOptions): Promise<Page<AppKeyRecord>> {
    if ((await this.apps.getApp(appPid)) === null) throw new NotFoundError(`No store app with pid "${appPid}"`, 'pid');
    return this.store.list(appPid, options);
  }

  async revoke(appPid: string, id: string): Promise<AppKeyRecord> {
    const record = await this.store.revoke(appPid, id, this.clock.now());
    this.verified.clear();
    if (record === null) throw new NotFoundError(`No key "${id}" for store app "${appPid}"`, 'id');
    return record;
  }

  /** The caller a key speaks for; 401 for a missing, unknown or revoked key. */
  async verify(key: string | undefined): Promise<AppCaller> {
    if (key === undefined) throw new UnauthorizedError('An app key is required: Authorization: Bearer pbk_…');
    const found = await this.verified.getOrLoad(key, () => this.store.findActive(hashSecret(key)), (known) => known !== null);
    if (found === null) throw new UnauthorizedError('Unknown or revoked app key');
    this.touch(found.id);
    return { keyId: found.id, appPid: found.appPid, scopes: new Set(found.scopes) };
  }

  private touch(id: string): void {
    const now = this.clock.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    // Off the request's path: a failure to note the use must not fail the request.
    this.store.touch(id, now).catch(this.onError);
  }
}
