import type { AdminKeysTable, OperatorsTable } from '../../db/schema.js';
import { parseJson } from '../../db/schema.js';
import { page, type ListOptions, type Page } from '../../db/paging.js';
import type { HubDb } from '../procedures.js';
import type { Role, Scope } from './roles.js';

export interface OperatorRecord {
  id: string;
  email: string;
  role: Role;
  /** False until an invited operator accepts and sets a password. */
  active: boolean;
  inviteExpiresAt: number | null;
  invitedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SessionRecord {
  id: string;
  operatorId: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface AdminKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const OPERATOR = ['id', 'email', 'role', 'password_hash', 'invite_expires_at', 'invited_by', 'created_at', 'updated_at'] as const;
type OperatorRow = Pick<OperatorsTable, (typeof OPERATOR)[number]>;

function operatorFromRow(row: OperatorRow): OperatorRecord {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    active: row.password_hash !== null,
    inviteExpiresAt: row.invite_expires_at === null ? null : Number(row.invite_expires_at),
    invitedBy: row.invited_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const KEY = ['id', 'name', 'prefix', 'scopes', 'created_by', 'created_at', 'last_used_at', 'revoked_at'] as const;

function keyFromRow(row: Omit<AdminKeysTable, 'key_hash'>): AdminKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseJson<Scope[]>(row.scopes),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function operatorsDal(db: HubDb) {
  const k = db.kysely;
  return {
    async insert(row: OperatorsTable): Promise<OperatorRecord> {
      const created = await db.executeOne(k.insertInto('operators').values(row).returning(OPERATOR).compile());
      if (created === undefined) throw new Error('insert into operators returned no row');
      return operatorFromRow(created);
    },
    /** The operator and its password hash, to check a sign-in. */
    byEmail(email: string): Promise<{ operator: OperatorRecord; passwordHash: string | null } | null> {
      return db.read(async (r) => {
        const row = await r.selectFrom('operators').select(OPERATOR).where('email', '=', email).executeTakeFirst();
        return row === undefined ? null : { operator: operatorFromRow(row), passwordHash: row.password_hash };
      });
    },
    get(id: string): Promise<{ operator: OperatorRecord; passwordHash: string | null } | null> {
      return db.read(async (r) => {
        const row = await r.selectFrom('operators').select(OPERATOR).where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : { operator: operatorFromRow(row), passwordHash: row.password_hash };
      });
    },
    byInvite(inviteHash: string): Promise<OperatorRecord | null> {
      return db.read(async (r) => {
        const row = await r.selectFrom('operators').select(OPERATOR).where('invite_hash', '=', inviteHash).executeTakeFirst();
        return row === undefined ? null : operatorFromRow(row);
      });
    },
    list(options: ListOptions): Promise<Page<OperatorRecord>> {
      return db.read((r) => page(r.selectFrom('operators').select(OPERATOR), 'id', 'asc', options, operatorFromRow));
    },
    count(role?: Role): Promise<number> {
      return db.read(async (r) => {
        let query = r.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('n')).where('password_hash', 'is not', null);
        if (role !== undefined) query = query.where('role', '=', role);
        return Number((await query.executeTakeFirstOrThrow()).n);
      });
    },
    async update(id: string, set: Partial<Omit<OperatorsTable, 'id' | 'email' | 'created_at'>>): Promise<OperatorRecord | null> {
      const row = await db.executeOne(k.updateTable('operators').set(set).where('id', '=', id).returning(OPERATOR).compile());
      return row === undefined ? null : operatorFromRow(row);
    },
    /**
     * Changes an owner's role or removes one only while another active owner remains, checked in
     * the statement itself so that two owners demoting each other at once cannot leave none.
     */
    async changeOwner(id: string, change: { role: Role; now: number } | 'remove'): Promise<'done' | 'last_owner' | 'missing'> {
      const others = k
        .selectFrom('operators as o')
        .select('o.id')
        .where('o.role', '=', 'owner')
        .where('o.password_hash', 'is not', null)
        .where('o.id', '<>', id);
      const statement =
        change === 'remove'
          ? k.deleteFrom('operators').where('id', '=', id).where((eb) => eb.or([eb('role', '<>', 'owner'), eb.exists(others)])).returning('id')
          : k
              .updateTable('operators')
              .set({ role: change.role, updated_at: change.now })
              .where('id', '=', id)
              .where((eb) => eb.or([eb('role', '<>', 'owner'), eb(eb.val(change.role), '=', 'owner'), eb.exists(others)]))
              .returning('id');
      if ((await db.executeOne(statement.compile())) !== undefined) return 'done';
      const exists = await db.read((r) => r.selectFrom('operators').select('id').where('id', '=', id).executeTakeFirst());
      return exists === undefined ? 'missing' : 'last_owner';
    },
  };
}

/** Sessions, kept by the SHA-256 of their cookie. */
export function sessionsDal(db: HubDb) {
  const k = db.kysely;
  return {
    async insertSession(row: { id: string; operator_id: string; created_at: number; last_seen_at: number; address: string | null; user_agent: string | null }): Promise<void> {
      await db.execute([k.insertInto('operator_sessions').values(row).compile()]);
    },
    session(id: string): Promise<{ session: SessionRecord; operator: OperatorRecord } | null> {
      return db.read(async (r) => {
        const row = await r
          .selectFrom('operator_sessions as s')
          .innerJoin('operators as o', 'o.id', 's.operator_id')
          .select(['s.id as session_id', 's.created_at as session_created_at', 's.last_seen_at', ...OPERATOR.map((c) => `o.${c}` as const)])
          .where('s.id', '=', id)
          .executeTakeFirst();
        if (row === undefined) return null;
        return {
          session: { id: row.session_id, operatorId: row.id, createdAt: Number(row.session_created_at), lastSeenAt: Number(row.last_seen_at) },
          operator: operatorFromRow(row),
        };
      });
    },
    async touchSession(id: string, now: number): Promise<void> {
      await db.execute([k.updateTable('operator_sessions').set({ last_seen_at: now }).where('id', '=', id).compile()]);
    },
    async deleteSession(id: string): Promise<void> {
      await db.execute([k.deleteFrom('operator_sessions').where('id', '=', id).compile()]);
    },
    /** An operator's sessions that are over (each sign-in sweeps its operator's, so they never pile up). */
    async deleteEndedSessions(operatorId: string, createdBefore: number, seenBefore: number): Promise<void> {
      await db.execute([
        k.deleteFrom('operator_sessions')
          .where('operator_id', '=', operatorId)
          .where((eb) => eb.or([eb('created_at', '<', createdBefore), eb('last_seen_at', '<', seenBefore)]))
          .compile(),
      ]);
    },
    /** Signs an operator out everywhere (but `keep`, the session that changed the password). */
    async deleteSessions(operatorId: string, keep?: string): Promise<void> {
      let query = k.deleteFrom('operator_sessions').where('operator_id', '=', operatorId);
      if (keep !== undefined) query = query.where('id', '<>', keep);
      await db.execute([query.compile()]);
    },
  };
}

export function adminKeysDal(db: HubDb) {
  const k = db.kysely;
  return {
    async insertKey(row: AdminKeysTable): Promise<AdminKeyRecord> {
      const created = await db.executeOne(k.insertInto('admin_keys').values(row).returning(KEY).compile());
      if (created === undefined) throw new Error('insert into admin_keys returned no row');
      return keyFromRow(created);
    },
    listKeys(options: ListOptions): Promise<Page<AdminKeyRecord>> {
      return db.read((r) => page(r.selectFrom('admin_keys').select(KEY), 'id', 'desc', options, keyFromRow));
    },
    async revokeKey(id: string, now: number): Promise<AdminKeyRecord | null> {
      const query = k
        .updateTable('admin_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
        .where('id', '=', id)
        .returning(KEY);
      const row = await db.executeOne(query.compile());
      return row === undefined ? null : keyFromRow(row);
    },
    activeKey(keyHash: string): Promise<AdminKeyRecord | null> {
      return db.read(async (r) => {
        const row = await r.selectFrom('admin_keys').select(KEY).where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
        return row === undefined ? null : keyFromRow(row);
      });
    },
    async touchKey(id: string, now: number): Promise<void> {
      await db.execute([k.updateTable('admin_keys').set({ last_used_at: now }).where('id', '=', id).compile()]);
    },
  };
}

export type OperatorsDal = ReturnType<typeof operatorsDal> & ReturnType<typeof sessionsDal> & ReturnType<typeof adminKeysDal>;

/** Operators, their sessions and admin API keys: what OperatorService stores. */
export function operatorsStore(db: HubDb): OperatorsDal {
  return { ...operatorsDal(db), ...sessionsDal(db), ...adminKeysDal(db) };
}
