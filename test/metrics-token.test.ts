// /metrics names every source and destination: METRICS_TOKEN protects it, and a hub that
// listens beyond loopback without one says so once at start. Through the real server.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from './helpers/hub.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** A pino logger at trace whose lines are kept, to read what the hub logged. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
        done();
      },
    }),
  );
  return { logger, lines, warnings: () => lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40).map((line) => line.msg) };
}

const metrics = (hub: TestHub, authorization?: string) => fetch(`${hub.url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });

describe('METRICS_TOKEN', () => {
  let hub: TestHub;
  const log = capturedLogger();

  beforeAll(async () => {
    // On every interface: with the token set, that deserves no warning.
    hub = await startTestHub('sqlite', { worker: false, env: { METRICS_TOKEN }, logger: log.logger, host: '0.0.0.0' });
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('answers /metrics only to its Bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', METRICS_TOKEN, `Bearer ${ADMIN_TOKEN}`]) {
      const refused = await metrics(hub, authorization);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ ok: false, error: 'unauthorized', message: 'Missing or invalid metrics token' });
    }
    const answered = await metrics(hub, `Bearer ${METRICS_TOKEN}`);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toMatch(/postback_hub_http_requests_total\{method="GET",route="\/metrics",status_code="401"\} \d+/);
    // The probes stay open.
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });

  it('documents the token in the OpenAPI document', async () => {
    const openapi = (await (await fetch(`${hub.url}/docs/json`)).json()) as any;
    expect(openapi.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }]);
    expect(openapi.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('warns about nothing at start, and never logs the token', () => {
    expect(log.lines.some((line) => line.includes('listening'))).toBe(true);
    expect(log.warnings()).toEqual([]);
    expect(log.lines.join('\n')).not.toContain(METRICS_TOKEN);
  });
});

describe('the start-up warning about a public /metrics', () => {
  it('is logged once, naming METRICS_TOKEN, by a hub listening on every interface without one', async () => {
    const log = capturedLogger();
    const hub = await startTestHub('sqlite', { worker: false, logger: log.logger, host: '0.0.0.0' });
    try {
      const about = log.warnings().filter((message) => message.includes('/metrics'));
      expect(about).toEqual(['GET /metrics is public on 0.0.0.0 and names every source and destination: set METRICS_TOKEN to require a Bearer token']);
      expect((await metrics(hub)).status).toBe(200);
    } finally {
      await hub.close();
    }
  });

  it('is not logged by a hub listening on loopback', async () => {
    const log = capturedLogger();
    const hub = await startTestHub('sqlite', { worker: false, logger: log.logger, host: '127.0.0.1' });
    try {
      expect(log.lines.some((line) => line.includes('listening'))).toBe(true);
      expect(log.warnings()).toEqual([]);
    } finally {
      await hub.close();
    }
  });
});
