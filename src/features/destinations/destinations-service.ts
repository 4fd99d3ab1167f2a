import { randomBytes } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { DestinationConfigSchema, wants, type DestinationConfig, type MatchableEvent } from './definition.js';
import { HUB_MACROS } from './request.js';
import { unknownMacros } from '../../lib/macros.js';
import { DEFAULT_POLICY } from './retry-policies.js';
import { DESTINATION_PRESETS, isDestinationPreset, unfilledPlaceholders, withPreset } from './presets.js';
import { signingSecretProblem } from './webhook-signing.js';
import { validationError } from '../../lib/validation.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { DestinationRecord } from './destinations-types.js';
import { everyItem, type ListOptions, type Page } from '../../db/paging.js';
import type { DestinationsDal } from './destinations-dal.js';

const configValidator = Compile(DestinationConfigSchema);

/** What a destination needs to send, kept sealed at rest. */
export interface DestinationSecrets {
  bearerToken?: string;
  signingSecret?: string;
  /** The secret before the last rotation: it keeps signing until `previousUntil`. */
  previousSigningSecret?: string;
  previousUntil?: number;
}

/** During a rotation the old signing secret keeps signing this long, so receivers can switch. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

export interface DestinationInput {
  name: string;
  /** A preset (`presets.ts`) to start from: `config` replaces any top-level key of it. */
  preset?: string;
  config: Partial<DestinationConfig> & Pick<DestinationConfig, 'url'>;
  bearerToken?: string | null;
  /** An existing `whsec_` secret to sign with instead of a generated one (never shown back). */
  signingSecret?: string;
  enabled?: boolean;
}

export interface DestinationChange {
  name?: string;
  config?: DestinationInput['config'];
  bearerToken?: string | null;
  enabled?: boolean;
  rotateSigningSecret?: boolean;
  signingSecret?: string;
}

/** What a destination's config is when its creator leaves a setting out. */
export const CONFIG_DEFAULTS = {
  method: 'GET',
  match: {},
  unknownMacros: 'empty',
  retry: DEFAULT_POLICY,
  success: { kind: '2xx' },
  timeoutMs: 10_000,
  followRedirects: false,
  pauseAfterFailures: 20,
} as const satisfies Omit<DestinationConfig, 'url'>;

/** Outbound partner endpoints. */
export class DestinationService {
  /** The enabled destinations, under one key. */
  private readonly enabled: TtlCache<'enabled', Array<{ id: string; config: DestinationConfig }>>;

  constructor(
    private readonly store: Pick<DestinationsDal, 'createDestination' | 'getDestination' | 'listDestinations' | 'updateDestination' | 'deleteDestination' | 'resumeDestination' | 'pauseDestination'>,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    cacheMs = 1000,
  ) {
    this.enabled = new TtlCache(clock, cacheMs, 1);
  }

  async create(input: DestinationInput): Promise<{ destination: DestinationRecord; signingSecret: string | null }> {
    const config = this.validate(presetApplied(input.preset, input.config));
    const imported = input.signingSecret === undefined ? null : importedSecret(input.signingSecret, config);
    const signingSecret = config.signing === undefined ? null : (imported ?? generateSigningSecret());
    const secrets: DestinationSecrets = {
      ...(input.bearerToken ? { bearerToken: input.bearerToken } : {}),
      ...(signingSecret === null ? {} : { signingSecret }),
    };
    const now = this.clock.now();
    const destination = await this.store.createDestination({
      id: newId(),
      name: input.name,
      config,
      secretsCiphertext: Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets)),
      enabled: input.enabled ?? true,
      pausedAt: null,
      pauseReason: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    });
    this.enabled.clear();
    // An imported secret is the operator's own: it is not shown back.
    return { destination, signingSecret: imported === null ? signingSecret : null };
  }

  async get(id: string): Promise<DestinationRecord> {
    const destination = await this.store.getDestination(id);
    if (destination === null) throw new NotFoundError(`No destination "${id}"`, 'id');
    return destination;
  }

  list(options: ListOptions): Promise<Page<DestinationRecord>> {
    return this.store.listDestinations(options);
  }

  /**
   * Changes a destination. A new signing secret (rotated, imported, or the first one of a
   * destination that starts signing) takes over at once; the one it replaces keeps signing
   * for `ROTATION_GRACE_MS`, so receivers on either accept the messages meanwhile.
   */
  async update(id: string, patch: DestinationChange): Promise<{ destination: DestinationRecord; signingSecret: string | null }> {
    const current = await this.get(id);
    const config = patch.config === undefined ? undefined : this.validate(patch.config);
    let secrets = this.secrets(current);
    let signingSecret: string | null = null;
    if (patch.bearerToken !== undefined) {
      const { bearerToken: _old, ...rest } = secrets;
      secrets = patch.bearerToken === null ? rest : { ...rest, bearerToken: patch.bearerToken };
    }
    if (patch.signingSecret !== undefined && patch.rotateSigningSecret === true) {
      throw new ValidationError('signingSecret', 'cannot be imported and rotated at once: send one of signingSecret and rotateSigningSecret');
    }
    const imported = patch.signingSecret === undefined ? null : importedSecret(patch.signingSecret, config ?? current.config);
    if (imported !== null || patch.rotateSigningSecret === true || (config?.signing !== undefined && secrets.signingSecret === undefined)) {
      const next = imported ?? generateSigningSecret();
      if (imported === null) signingSecret = next;
      const replaced = secrets.signingSecret !== undefined && secrets.signingSecret !== next;
      secrets = {
        ...secrets,
        signingSecret: next,
        ...(replaced ? { previousSigningSecret: secrets.signingSecret, previousUntil: this.clock.now() + ROTATION_GRACE_MS } : {}),
      };
    }
    const destination = await this.store.updateDestination(
      id,
      {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(config === undefined ? {} : { config }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        secretsCiphertext: Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets)),
      },
      this.clock.now(),
    );
    if (destination === null) throw new NotFoundError(`No destination "${id}"`, 'id');
    this.enabled.clear();
    return { destination, signingSecret };
  }

  async pause(id: string): Promise<DestinationRecord> {
    const destination = await this.store.pauseDestination(id, 'paused by an operator', this.clock.now());
    if (destination === null) throw new NotFoundError(`No destination "${id}"`, 'id');
    return destination;
  }

  async resume(id: string): Promise<DestinationRecord> {
    const destination = await this.store.resumeDestination(id, this.clock.now());
    if (destination === null) throw new NotFoundError(`No destination "${id}"`, 'id');
    return destination;
  }

  async delete(id: string): Promise<void> {
    const outcome = await this.store.deleteDestination(id);
    if (outcome === 'not_found') throw new NotFoundError(`No destination "${id}"`, 'id');
    if (outcome === 'has_deliveries') throw new ConflictError(`Destination "${id}" has a delivery history; disable it instead`, 'id', 'destination_has_deliveries');
    this.enabled.clear();
  }

  /**
   * The outbox rows for an event: one per enabled destination that wants it (paused ones too:
   * their deliveries wait for the resume). Read from a list cached for a second.
   */
  async deliveriesFor(event: MatchableEvent): Promise<Array<{ id: string; destinationId: string }>> {
    const enabled = await this.enabled.getOrLoad('enabled', async () => {
      const list: Array<{ id: string; config: DestinationConfig }> = [];
      for await (const d of everyItem((options) => this.store.listDestinations(options))) if (d.enabled) list.push({ id: d.id, config: d.config as DestinationConfig });
      return list;
    });
    return enabled.filter((d) => wants(d.config, event)).map((d) => ({ id: newId(), destinationId: d.id }));
  }

  secrets(destination: DestinationRecord): DestinationSecrets {
    return destination.secretsCiphertext === null ? {} : (JSON.parse(this.box.open(destination.secretsCiphertext)) as DestinationSecrets);
  }

  /** Defaults filled in, the schema checked, and macros checked when unknown ones are errors. */
  private validate(input: DestinationInput['config']): DestinationConfig {
    const config = { ...CONFIG_DEFAULTS, ...input };
    if (!configValidator.Check(config)) throw validationError(configValidator.Errors(config), { under: 'config' });
    const unfilled = unfilledPlaceholders(config.url);
    if (unfilled.length > 0) throw new ValidationError('config.url', `still has ${unfilled.join(', ')}: replace ${unfilled.length === 1 ? 'it' : 'them'} with the partner's own values`);
    if (config.unknownMacros === 'error') {
      for (const [field, template] of [['url', config.url], ['body', config.body ?? ''], ...Object.entries(config.headers ?? {}).map(([k, v]) => [`headers.${k}`, v])] as const) {
        const unknown = unknownMacros(template, HUB_MACROS, true);
        if (unknown.length > 0) throw new ValidationError(`config.${field}`, `uses unknown macros: ${unknown.map((m) => `{${m}}`).join(', ')}`);
      }
    }
    return config;
  }
}

/** The preset's config under the operator's, or the operator's alone. */
function presetApplied(preset: string | undefined, config: DestinationInput['config']): DestinationInput['config'] {
  if (preset === undefined) return config;
  if (!isDestinationPreset(preset)) throw new ValidationError('preset', `must be one of ${Object.keys(DESTINATION_PRESETS).join(', ')}`);
  return withPreset(preset, config);
}

/** An operator's existing secret, checked, for a destination that signs. */
function importedSecret(secret: string, config: Pick<DestinationConfig, 'signing'>): string {
  if (config.signing === undefined) throw new ValidationError('signingSecret', 'needs config.signing: a destination that does not sign has no use for a secret');
  const problem = signingSecretProblem(secret);
  if (problem !== null) throw new ValidationError('signingSecret', problem);
  return secret;
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
