import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupWarnings } from './config.js';

describe('loadConfig', () => {
  it('has working defaults: port 8080 and the embedded SQLite file', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('data/postback-hub.db') });
    expect(config.adminToken).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('reads the delivery and proxy settings', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(loadConfig({ SECRET_KEY: key, PUBLIC_URL: 'https://hub.example.com/', TRUST_PROXY: 'true', OUTBOUND_ALLOW: '127.0.0.1/32, ::1', RETENTION_DAYS: '0' })).toMatchObject({
      secretKey: key,
      publicUrl: 'https://hub.example.com',
      trustProxy: true,
      outboundAllow: ['127.0.0.1/32', '::1'],
      retentionDays: 0,
      deliveryLeaseMs: 90_000,
    });
  });

  it('traces only when the OTEL_* variables ask for it', () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'hub-eu' }).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({ exporters: ['otlp'], protocol: 'http/protobuf' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing).toEqual({ exporters: ['otlp'], protocol: 'http/json' });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp, console' }).tracing).toEqual({ exporters: ['otlp', 'console'], protocol: 'http/protobuf' });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBeNull();
    expect(loadConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBeNull();
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'],
  ])('refuses a tracing setting it cannot honour, naming it: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ variable }));
  });

  it('reads METRICS_TOKEN, unset by default', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: ' metrics-token-0123456789 ' }).metricsToken).toBe('metrics-token-0123456789');
  });

  it('reads SMTP_URL and ALERT_EMAIL_FROM for alert emails, never quoting the URL in a refusal', () => {
    expect(loadConfig({}).smtp).toBeUndefined();
    expect(loadConfig({}).alertCheckMs).toBe(30_000);
    expect(loadConfig({ SMTP_URL: 'smtp://alerts:s3cret-pass@mail.example.com:587' }).smtp).toEqual({ url: 'smtp://alerts:s3cret-pass@mail.example.com:587', from: 'postback-hub@mail.example.com' });
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example.com', ALERT_EMAIL_FROM: 'Hub <hub@example.com>', ALERT_CHECK_SECONDS: '60' })).toMatchObject({ smtp: { from: 'Hub <hub@example.com>' }, alertCheckMs: 60_000 });
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('accepted');
    };
    const wrongScheme = refusal({ SMTP_URL: 'http://alerts:s3cret-pass@mail.example.com' });
    expect([wrongScheme.variable, wrongScheme.message]).toEqual(['SMTP_URL', 'SMTP_URL: must start with smtp:// or smtps://, got "http://…"']);
    expect(refusal({ SMTP_URL: 'smtp://alerts:s3cret-pass@ bad host' }).message).not.toContain('s3cret');
    expect(refusal({ ALERT_EMAIL_FROM: 'hub@example.com' }).variable).toBe('ALERT_EMAIL_FROM');
    expect(refusal({ SMTP_URL: 'smtp://mail.example.com', ALERT_EMAIL_FROM: 'not an address' }).variable).toBe('ALERT_EMAIL_FROM');
    expect(refusal({ ALERT_CHECK_SECONDS: '1' }).variable).toBe('ALERT_CHECK_SECONDS');
  });

  it('reads WORKER_HEALTH_PORT, off by default', () => {
    expect(loadConfig({}).workerHealthPort).toBeUndefined();
    expect(loadConfig({ WORKER_HEALTH_PORT: '9464' }).workerHealthPort).toBe(9464);
    expect(() => loadConfig({ WORKER_HEALTH_PORT: 'health' })).toThrow(new ConfigError('WORKER_HEALTH_PORT', 'expected a whole number, got "health"'));
  });

  it('refuses a DELIVERY_LEASE_MS shorter than the longest destination timeout plus time to record the attempt', () => {
    expect(loadConfig({ DELIVERY_LEASE_MS: '70000' }).deliveryLeaseMs).toBe(70_000);
    expect(() => loadConfig({ DELIVERY_LEASE_MS: '69999' })).toThrow(
      new ConfigError('DELIVERY_LEASE_MS', 'must be between 70000 and 3600000: a lease must outlast the longest destination timeout (60 s) plus time to record the attempt; got 69999'),
    );
  });

  it('reads sqlite: paths and postgres:// URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', PG_POOL_SIZE: '4' }).database).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db', poolSize: 4 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ METRICS_TOKEN: 'short-metrics' }, 'METRICS_TOKEN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MAX_BODY_BYTES: '-1' }, 'MAX_BODY_BYTES'],
    [{ DATABASE_URL: 'postgres://x', PG_POOL_SIZE: '0' }, 'PG_POOL_SIZE'],
    [{ SECRET_KEY: 'too-short' }, 'SECRET_KEY'],
    [{ PUBLIC_URL: 'hub.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://hub.example.com/?x=1' }, 'PUBLIC_URL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ OUTBOUND_ALLOW: '127.0.0.1/8,localhost' }, 'OUTBOUND_ALLOW'],
    [{ OUTBOUND_ALLOW: '10.0.0.0/40' }, 'OUTBOUND_ALLOW'],
    [{ OUTBOUND_ALLOW: '::1/129' }, 'OUTBOUND_ALLOW'],
    [{ DELIVERY_LEASE_MS: '10' }, 'DELIVERY_LEASE_MS'],
  ])('stops on %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('startupWarnings', () => {
  const token = 'metrics-token-0123456789';

  it.each(['0.0.0.0', '::', '192.168.1.20', '10.0.0.5', 'fe80::1', '203.0.113.7', 'hub.internal'])('warns that /metrics is public on %s without METRICS_TOKEN', (host) => {
    const warnings = startupWarnings({ host, metricsToken: undefined });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('/metrics is public');
    expect(warnings[0]).toContain('METRICS_TOKEN');
    expect(warnings[0]).toContain(host);
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])('says nothing on loopback (%s)', (host) => {
    expect(startupWarnings({ host, metricsToken: undefined })).toEqual([]);
  });

  it('says nothing once METRICS_TOKEN is set', () => {
    expect(startupWarnings({ host: '0.0.0.0', metricsToken: token })).toEqual([]);
  });

  it('judges the default configuration: every interface, no token', () => {
    expect(startupWarnings(loadConfig({}))).toHaveLength(1);
    expect(startupWarnings(loadConfig({ HOST: '127.0.0.1' }))).toEqual([]);
  });
});
