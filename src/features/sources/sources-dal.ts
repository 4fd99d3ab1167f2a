import { parseJson, type SourcesTable } from '../../db/schema.js';
import type { SourcePatch, SourceRecord } from './sources-types.js';
import type { HubDb } from '../procedures.js';
import { crud } from '../../db/crud.js';
import type { ListOptions } from '../../db/paging.js';
export function sourceFromRow(row: SourcesTable): SourceRecord {
  return {
    slug: row.slug,
    name: row.name,
    preset: row.preset,
    overrides: parseJson<Record<string, unknown>>(row.overrides),
    secretCiphertext: row.secret_ciphertext,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Inbound sources: a preset, the operator's overrides, the secret sealed. */
export function sourcesDal(db: HubDb) {
  const sources = crud(db, { table: 'sources', key: 'slug', order: 'asc', fromRow: sourceFromRow });
  return {
    createSource(source: SourceRecord): Promise<SourceRecord> {
      return sources.insert({
        slug: source.slug,
        name: source.name,
        preset: source.preset,
        overrides: JSON.stringify(source.overrides),
        secret_ciphertext: source.secretCiphertext,
        enabled: source.enabled ? 1 : 0,
        created_at: source.createdAt,
        updated_at: source.updatedAt,
      });
    },
    getSource: (slug: string) => sources.get(slug),
    listSources: (options: ListOptions) => sources.list(options),
    updateSource(slug: string, patch: SourcePatch, now: number): Promise<SourceRecord | null> {
      return sources.update(slug, {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.preset === undefined ? {} : { preset: patch.preset }),
        ...(patch.overrides === undefined ? {} : { overrides: JSON.stringify(patch.overrides) }),
        ...(patch.secretCiphertext === undefined ? {} : { secret_ciphertext: patch.secretCiphertext }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: now,
      });
    },
    deleteSource: async (slug: string) => (await sources.remove(slug)) === 'deleted',
  };
}

export type SourcesDal = ReturnType<typeof sourcesDal>;
