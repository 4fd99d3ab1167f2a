import path from 'node:path';
import ipaddr from 'ipaddr.js';
import type { DatabaseConfig } from '../db/open.js';
import { isAllowEntry } from '../features/delivery/addresses.js';
import { MIN_LEASE_MS } from '../features/delivery/lease.js';
import { MAX_DESTINATION_TIMEOUT_MS } from '../features/destinations/definition.js';

export type { DatabaseConfig };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** A delivery-only process (`worker`) serves /healthz, /readyz and /metrics on this port of `host`; undefined: none. */
  workerHealthPort: number | undefined;
  database: DatabaseConfig;
  /** Holds the generated admin token and, by default, the SQLite file. */
  dataDir: string;
  /** Undefined means: generate one on first start and keep it in `dataDir`. */
  adminToken: string | undefined;
  /** Bearer token `/metrics` requires; undefined leaves it open (warned about beyond loopback). */
  metricsToken: string | undefined;
  logLevel: LogLevel;
  /** Largest inbound postback body accepted; larger ones are answered 413. */
  maxBodyBytes: number;
  /** How much of a request body is kept in an event's raw record. */
  rawBodyLimit: number;
  /** Encrypts source secrets at rest (base64, 32 bytes); generated and kept in `dataDir` if unset. */
  secretKey: string | undefined;
  /** The hub's address as partners reach it (`https://hub.example.com`): shown in inbound URLs, signed by URL signatures. */
  publicUrl: string | undefined;
  /** Behind a reverse proxy: take the client address and scheme/host from X-Forwarded-* headers. */
  trustProxy: boolean;
  /** Private addresses destinations may reach anyway (CIDRs), e.g. 127.0.0.1/32 for local development. */
  outboundAllow: string[];
  /** How long a worker holds a claimed delivery; at least MIN_LEASE_MS, to outlast the longest destination timeout (60 s) and the attempt's recording. */
  deliveryLeaseMs: number;
  /** Attempts, finished deliveries and raw request bodies older than this are pruned; 0 keeps them. */
  retentionDays: number;
  /** An operator's session ends after this long unused, and this long after signing in. */
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Where alert emails go out (`smtp://user:pass@host:587`; its password is never logged), and whom they are from; undefined: no email. */
  smtp: { url: string; from: string } | undefined;
  /** How often `serve` and `worker` processes check the alert rules. */
  alertCheckMs: number;
  /** OpenTelemetry tracing, from the standard OTEL_* variables; null: off (nothing registered). */
  tracing: TracingConfig | null;
}

/**
 * What the hub decides itself of the OTEL_* variables: whether to trace, and which exporter to
 * build. Everything else (endpoint, headers, timeouts, sampler, batching, resource attributes)
 * the SDK reads from the environment on its own.
 */
export interface TracingConfig {
  exporters: Array<'otlp' | 'console'>;
  /** OTLP over HTTP: protobuf (the specification's default) or JSON. */
  protocol: 'http/protobuf' | 'http/json';
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** `why`: the reason for the bounds, told with them. */
function integer(env: Env, name: string, fallback: number, min: number, max: number, why?: string): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}${why === undefined ? ',' : `: ${why};`} got ${value}`);
  return value;
}

function parseDatabase(env: Env, dataDir: string): DatabaseConfig {
  const raw = text(env, 'DATABASE_URL') ?? `sqlite:${path.join(dataDir, 'postback-hub.db')}`;
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/postback-hub.db');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw, poolSize: integer(env, 'PG_POOL_SIZE', 16, 1, 1000) };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got "${raw.split(':')[0]}:…"`);
}

/**
 * SMTP_URL (smtp:// or smtps://, credentials in the URL) and ALERT_EMAIL_FROM. A message about
 * a bad value never quotes the URL: it may hold a password.
 */
function parseSmtp(env: Env): Config['smtp'] {
  const raw = text(env, 'SMTP_URL');
  const from = text(env, 'ALERT_EMAIL_FROM');
  if (raw === undefined) {
    if (from !== undefined) throw new ConfigError('ALERT_EMAIL_FROM', 'is set but SMTP_URL is not: set SMTP_URL to send alert emails');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL', 'is not a valid URL (expected smtp://user:password@host:587 or smtps://…:465)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps://, got "${url.protocol}//…"`);
  if (url.hostname === '') throw new ConfigError('SMTP_URL', 'names no host');
  const sender = from ?? `postback-hub@${url.hostname}`;
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(sender.replace(/^.*<([^>]*)>\s*$/, '$1'))) throw new ConfigError('ALERT_EMAIL_FROM', `must be an email address, e.g. alerts@example.com or "Hub <alerts@example.com>", got "${sender}"`);
  return { url: raw, from: sender };
}

/**
 * Tracing is on when an OTLP endpoint is set or OTEL_TRACES_EXPORTER names an exporter, and off
 * (nothing registered) when neither is, when it says `none`, or when OTEL_SDK_DISABLED=true.
 */
function parseTracing(env: Env): TracingConfig | null {
  if (text(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const named = text(env, 'OTEL_TRACES_EXPORTER');
  const endpointVariable = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].find((name) => text(env, name) !== undefined);
  if (named === undefined && endpointVariable === undefined) return null;
  const exporters: TracingConfig['exporters'] = [];
  for (const name of (named ?? 'otlp').split(',').map((n) => n.trim().toLowerCase())) {
    if (name === 'otlp' || name === 'console') exporters.push(name);
    else if (name !== 'none') throw new ConfigError('OTEL_TRACES_EXPORTER', `must be otlp, console or none, got "${name}"`);
  }
  if (exporters.length === 0) return null;
  if (endpointVariable !== undefined && !/^https?:\/\/[^/?#]+/.test(text(env, endpointVariable)!)) {
    throw new ConfigError(endpointVariable, 'must be an http(s) URL, e.g. http://collector:4318');
  }
  const protocolVariable = text(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') === undefined ? 'OTEL_EXPORTER_OTLP_PROTOCOL' : 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL';
  const protocol = text(env, protocolVariable) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(protocolVariable, `must be http/protobuf or http/json (OTLP over HTTP; grpc is not supported), got "${protocol}"`);
  }
  return { exporters, protocol };
}

/** Null if `text` is a usable secret key: 32 bytes as base64. */
export function checkSecretKey(text: string): string | null {
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(text.trim()) ? null : 'must be 32 random bytes as base64 (e.g. `openssl rand -base64 32`)';
}

/** Reads the whole configuration once at start-up; throws ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(text(env, 'DATA_DIR') ?? './data');
  const adminToken = text(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters long');
  }
  const metricsToken = text(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  }
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const secretKey = text(env, 'SECRET_KEY');
  if (secretKey !== undefined) {
    const problem = checkSecretKey(secretKey);
    if (problem !== null) throw new ConfigError('SECRET_KEY', problem);
  }
  const publicUrl = text(env, 'PUBLIC_URL')?.replace(/\/+$/, '');
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(publicUrl)) {
    throw new ConfigError('PUBLIC_URL', `must be an http(s) URL without query, got "${publicUrl}"`);
  }
  const trustProxy = (text(env, 'TRUST_PROXY') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(trustProxy)) throw new ConfigError('TRUST_PROXY', 'must be true or false');
  const outboundAllow = (text(env, 'OUTBOUND_ALLOW') ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const cidr of outboundAllow) {
    if (!isAllowEntry(cidr)) throw new ConfigError('OUTBOUND_ALLOW', `"${cidr}" is not an IP address or CIDR block`);
  }
  const smtp = parseSmtp(env);
  const leaseWhy = `a lease must outlast the longest destination timeout (${MAX_DESTINATION_TIMEOUT_MS / 1000} s) plus time to record the attempt`;
  return {
    outboundAllow,
    deliveryLeaseMs: integer(env, 'DELIVERY_LEASE_MS', 90_000, MIN_LEASE_MS, 3_600_000, leaseWhy),
    retentionDays: integer(env, 'RETENTION_DAYS', 30, 0, 36_500),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: integer(env, 'SESSION_MAX_HOURS', 12, 1, 30 * 24),
    smtp,
    tracing: parseTracing(env),
    alertCheckMs: integer(env, 'ALERT_CHECK_SECONDS', 30, 5, 86_400) * 1000,
    secretKey,
    publicUrl,
    trustProxy: trustProxy === 'true' || trustProxy === '1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    workerHealthPort: text(env, 'WORKER_HEALTH_PORT') === undefined ? undefined : integer(env, 'WORKER_HEALTH_PORT', 0, 0, 65535),
    host: text(env, 'HOST') ?? '0.0.0.0',
    database: parseDatabase(env, dataDir),
    dataDir,
    adminToken,
    metricsToken,
    logLevel: logLevel as LogLevel,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
    rawBodyLimit: integer(env, 'RAW_BODY_LIMIT', 16 * 1024, 0, 1024 * 1024),
  };
}

/** Whether `host` (a HOST value or a listening address) is reachable from this machine only. */
function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

/**
 * What a configuration deserves a warning for at start, one line each; `host` is where the hub
 * listens. Never quotes a secret.
 */
export function startupWarnings(config: Pick<Config, 'host' | 'metricsToken'>): string[] {
  const warnings: string[] = [];
  if (config.metricsToken === undefined && !isLoopback(config.host)) {
    warnings.push(`GET /metrics is public on ${config.host} and names every source and destination: set METRICS_TOKEN to require a Bearer token`);
  }
  return warnings;
}
