import type pg from 'pg';
import { postgresInJsonList, postgresRecordsFromJson, toPgPlaceholders, type SqlExecutor } from '../executor.js';

/**
 * The SqlExecutor of a pooled client inside a transaction. A procedure's statements are few
 * and fixed: each is prepared once per connection (named by its text). Notifications go out
 * with `pg_notify`, which PostgreSQL delivers at commit; the payload names the schema, so hubs
 * sharing a database in other schemas ignore them.
 */
export function postgresExecutor(client: pg.PoolClient): SqlExecutor {
  return {
    skipLocked: true,
    notifyingSelect: (channel) => `SELECT NULL FROM pg_notify('${channel.replace(/'/g, "''")}', current_schema())`,
    inProcess: false,
    recordsFromJson: postgresRecordsFromJson,
    inJsonList: postgresInJsonList,
    jsonColumn: (expression) => `CAST(${expression} AS JSONB)`,
    async notify(channel) {
      await client.query({ ...prepared('SELECT pg_notify(?, current_schema())'), values: [channel] });
    },
    async query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      return (await client.query({ ...prepared(sql), values: params as unknown[] })).rows as Row[];
    },
    async values(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
      return (await client.query<unknown[]>({ ...prepared(sql), values: params as unknown[], rowMode: 'array' })).rows;
    },
  };
}

const statementNames = new Map<string, string>();

function prepared(sql: string): { name: string; text: string } {
  const text = toPgPlaceholders(sql);
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `hub_${statementNames.size + 1}`));
  return { name, text };
}
