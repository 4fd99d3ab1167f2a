import type { Database } from './database.js';
import type { Registry } from './procedure.js';
import { parseJson } from './schema.js';

/** Small JSON documents by key (the fraud policy, the key's fingerprint): every process reads the same. */
export function settingsDal(db: Database<Registry>) {
  const getSetting = (key: string): Promise<unknown> =>
    db.read(async (k) => {
      const row = await k.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row === undefined ? null : parseJson<unknown>(row.value);
    });
  return {
    getSetting,

    async putSetting(key: string, value: unknown, now: number): Promise<void> {
      const text = JSON.stringify(value);
      await db.execute([
        db.kysely
          .insertInto('settings')
          .values({ key, value: text, updated_at: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
          .compile(),
      ]);
    },

    /** Keeps `value` under `key` unless a value is there already; answers the value kept (first writer wins). */
    async claimSetting(key: string, value: unknown, now: number): Promise<unknown> {
      await db.execute([
        db.kysely
          .insertInto('settings')
          .values({ key, value: JSON.stringify(value), updated_at: now })
          .onConflict((oc) => oc.column('key').doNothing())
          .compile(),
      ]);
      return getSetting(key);
    },
  };
}

export type SettingsDal = ReturnType<typeof settingsDal>;
