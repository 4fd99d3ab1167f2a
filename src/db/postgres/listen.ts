import pg from 'pg';
import type { PoolOptions } from './pool.js';

/**
 * A dedicated connection LISTENing on a channel (a pooled one would be handed to someone
 * else). It reconnects after a failure; once listening (again) it tells the listener at once,
 * for what was notified while nobody listened.
 */
export function listen(options: PoolOptions, channel: string, listener: () => void): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: options.url,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    let schema: string | null = null;
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload === schema) listener();
    });
    next.on('error', () => {
      next.removeAllListeners('notification');
      setTimeout(() => void connect(), 1000).unref();
    });
    try {
      await next.connect();
      schema = (await next.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema ?? null;
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      client = next;
      if (stopped) await next.end();
      else listener();
    } catch {
      await next.end().catch(() => {});
      setTimeout(() => void connect(), 1000).unref();
    }
  };
  void connect();
  return () => {
    stopped = true;
    void client?.end().catch(() => {});
  };
}
