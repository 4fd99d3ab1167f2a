import type { UsersTable } from '../../db/schema.js';
import type { UserRecord } from './ledger-types.js';
import type { HubDb } from '../procedures.js';
import { crud } from '../../db/crud.js';
import type { ListOptions } from '../../db/paging.js';
export function userFromRow(row: UsersTable): UserRecord {
  return {
    id: row.id,
    appId: row.app_id,
    deviceId: row.device_id,
    coins: Number(row.coins),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}


/** Users and their ledgers. A balance moves only with a ledger entry (record-event.ts). */
export function usersDal(db: HubDb) {
  const users = crud(db, { table: 'users', key: 'id', order: 'asc', fromRow: userFromRow });
  return {
    createUser(user: Omit<UserRecord, 'coins' | 'updatedAt'>): Promise<UserRecord> {
      return users.insert({ id: user.id, app_id: user.appId, device_id: user.deviceId, coins: 0, created_at: user.createdAt, updated_at: user.createdAt });
    },
    getUser: (id: string) => users.get(id),
    listUsers: (options: ListOptions) => users.list(options),
    updateUser(id: string, patch: { appId?: string | null; deviceId?: string | null }, now: number): Promise<UserRecord | null> {
      return users.update(id, {
        ...(patch.appId === undefined ? {} : { app_id: patch.appId }),
        ...(patch.deviceId === undefined ? {} : { device_id: patch.deviceId }),
        updated_at: now,
      });
    },
    /** 'has_ledger' when the user has ledger entries: a ledger is never rewritten. */
    deleteUser: (id: string) => users.remove(id, { table: 'ledger_entries', column: 'user_id', outcome: 'has_ledger' }),
  };
}

export type UsersDal = ReturnType<typeof usersDal>;
