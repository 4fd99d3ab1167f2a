import { sql, type CompiledQuery } from 'kysely';
import { type DestinationsTable, parseJson } from '../../db/schema.js';
import type { DestinationPatch, DestinationRecord } from './destinations-types.js';
import type { HubDb } from '../procedures.js';
import { crud } from '../../db/crud.js';
import { parkDeliveries, unparkDeliveries } from '../delivery/deliveries-sql.js';
import { wakeWorkers } from '../delivery/deliveries-dal.js';
import type { ListOptions } from '../../db/paging.js';
export function destinationFromRow(row: DestinationsTable): DestinationRecord {
  return {
    id: row.id,
    name: row.name,
    config: parseJson<Record<string, unknown>>(row.config),
    secretsCiphertext: row.secrets_ciphertext,
    enabled: Number(row.enabled) === 1,
    pausedAt: row.paused_at === null ? null : Number(row.paused_at),
    pauseReason: row.pause_reason,
    consecutiveFailures: Number(row.consecutive_failures),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * A destination's `updated_at` as a change sets it: `now`, or a millisecond past the last
 * change if that is not earlier. Workers in every process keep a destination they have read
 * until a claim shows its `updated_at` moved, so two changes in one millisecond, or one from
 * a process whose clock lags, must still move it.
 */
function forward(now: number) {
  return sql<number>`CASE WHEN updated_at < ${now} THEN ${now} ELSE updated_at + 1 END`;
}

const PARK_CHUNK = 5000;

/** Outbound destinations, and holding their deliveries while they are paused or disabled. */
export function destinationsDal(db: HubDb) {
  const destinations = crud(db, { table: 'destinations', key: 'id', order: 'asc', fromRow: destinationFromRow });

  /**
   * Parking and unparking run in transactions of PARK_CHUNK: a backlog of a million must not
   * hold the write lock for seconds. The order makes a failure part way harmless: a pause is
   * committed before its deliveries are parked, and a resume (or enable) brings them back while
   * the destination is still held, then lifts the hold together with the last few. Claims
   * leave a held destination's deliveries alone, parked or not, so no state in between is
   * wrong; a resume that failed part way is finished by trying it again.
   */
  const parkAll = async (destinationId: string): Promise<void> => {
    const { sql: text, parameters } = parkDeliveries(destinationId, PARK_CHUNK);
    while ((await db.execute([db.raw(text, parameters)]))[0]!.length >= PARK_CHUNK);
  };

  const unhold = async (id: string, now: number, once: 'resumed' | 'enabled', lift: CompiledQuery): Promise<DestinationRecord | null> => {
    const chunk = unparkDeliveries(id, now, PARK_CHUNK, once);
    while ((await db.execute([db.raw(chunk.sql, chunk.parameters)]))[0]!.length >= PARK_CHUNK);
    // Those parked since, as the hold is lifted: one transaction.
    const rest = unparkDeliveries(id, now, Number.MAX_SAFE_INTEGER, 'now');
    const [rows] = await db.execute([lift, db.raw(rest.sql, rest.parameters)]);
    const row = rows?.[0] as DestinationsTable | undefined;
    if (row === undefined) return null;
    await wakeWorkers(db);
    return destinationFromRow(row);
  };

  return {
    createDestination(destination: DestinationRecord): Promise<DestinationRecord> {
      return destinations.insert({
        id: destination.id,
        name: destination.name,
        config: JSON.stringify(destination.config),
        secrets_ciphertext: destination.secretsCiphertext,
        enabled: destination.enabled ? 1 : 0,
        paused_at: destination.pausedAt,
        pause_reason: destination.pauseReason,
        consecutive_failures: destination.consecutiveFailures,
        created_at: destination.createdAt,
        updated_at: destination.updatedAt,
      });
    },
    getDestination: (id: string) => destinations.get(id),
    listDestinations: (options: ListOptions) => destinations.list(options),
    async updateDestination(id: string, patch: DestinationPatch, now: number): Promise<DestinationRecord | null> {
      const query = db.kysely
        .updateTable('destinations')
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
          ...(patch.secretsCiphertext === undefined ? {} : { secrets_ciphertext: patch.secretsCiphertext }),
          ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
          updated_at: forward(now),
        })
        .where('id', '=', id)
        .returningAll()
        .compile();
      if (patch.enabled === true) return unhold(id, now, 'enabled', query);
      const row = await db.executeOne(query);
      if (row === undefined) return null;
      if (patch.enabled === false) await parkAll(id);
      return destinationFromRow(row);
    },
    /** 'has_deliveries' once it has deliveries: their history stays; disable it instead. */
    deleteDestination: (id: string) => destinations.remove(id, { table: 'deliveries', column: 'destination_id', outcome: 'has_deliveries' }),
    async pauseDestination(id: string, reason: string, now: number): Promise<DestinationRecord | null> {
      const query = db.kysely
        .updateTable('destinations')
        .set((eb) => ({ paused_at: eb.fn.coalesce('paused_at', eb.val(now)), pause_reason: eb.fn.coalesce('pause_reason', eb.val(reason)), updated_at: forward(now) }))
        .where('id', '=', id)
        .returningAll();
      const row = await db.executeOne(query.compile());
      if (row === undefined) return null;
      await parkAll(id);
      return destinationFromRow(row);
    },
    resumeDestination(id: string, now: number): Promise<DestinationRecord | null> {
      const query = db.kysely
        .updateTable('destinations')
        .set({ paused_at: null, pause_reason: null, consecutive_failures: 0, updated_at: forward(now) })
        .where('id', '=', id)
        .returningAll();
      return unhold(id, now, 'resumed', query.compile());
    },
  };
}

export type DestinationsDal = ReturnType<typeof destinationsDal>;
