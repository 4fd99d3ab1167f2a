import { Compile } from 'typebox/compile';
import { checkCidr } from '../domain/sources/auth.js';
import { ecdsaKeyProblem } from '../domain/signatures.js';
import { SourceDefinitionSchema, type AuthRule, type SourceDefinition, type SourceOverrides } from '../domain/sources/definition.js';
import { isPresetName, PRESETS, resolveDefinition } from '../domain/sources/presets.js';
import { firstFieldProblem } from '../domain/validation.js';
import type { Clock } from '../lib/clock.js';
import { ConflictError, NotFoundError, UniqueViolationError, ValidationError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { generateSecret } from '../lib/secrets.js';
import type { ListOptions, Page, SourceRecord, Store } from '../store/store.js';

const definitionValidator = Compile(SourceDefinitionSchema);
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A source ready for the intake: its effective definition and its secret in clear. */
export interface LoadedSource {
  slug: string;
  enabled: boolean;
  definition: SourceDefinition;
  secret: string | null;
}

export interface SourceInput {
  slug: string;
  name?: string | null;
  preset: string;
  overrides?: SourceOverrides;
  /** Omitted: generated when the source's authentication needs one. */
  secret?: string;
  enabled?: boolean;
}

export interface SourcePatchInput {
  name?: string | null;
  preset?: string;
  overrides?: SourceOverrides;
  enabled?: boolean;
  /** `true`: a new secret is generated and returned once. A string: that secret. */
  rotateSecret?: boolean | string;
}

type SourceStore = Pick<Store, 'createSource' | 'getSource' | 'listSources' | 'updateSource' | 'deleteSource'>;

/** Inbound partners: preset + overrides, authentication secret encrypted at rest. */
export class SourceService {
  private readonly cache = new Map<string, { source: LoadedSource | null; until: number }>();

  constructor(
    private readonly store: SourceStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    /** How long the intake may use a loaded source before reading it again (other processes' changes). */
    private readonly cacheMs = 1000,
  ) {}

  async create(input: SourceInput): Promise<{ source: SourceRecord; secret: string | null }> {
    if (!SLUG.test(input.slug)) throw new ValidationError('slug', 'must be 1–63 lower-case letters, digits or dashes, starting with a letter or digit');
    const definition = this.validate(input.preset, input.overrides ?? {});
    const secret = input.secret ?? (needsSecret(definition.auth) ? generateSecret() : null);
    const now = this.clock.now();
    try {
      const source = await this.store.createSource({
        slug: input.slug,
        name: input.name ?? null,
        preset: input.preset,
        overrides: input.overrides ?? {},
        secretCiphertext: secret === null ? null : this.box.seal(secret),
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      });
      this.cache.delete(input.slug);
      return { source, secret };
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`A source "${input.slug}" already exists`, 'slug');
      throw error;
    }
  }

  async get(slug: string): Promise<SourceRecord> {
    const source = await this.store.getSource(slug);
    if (source === null) throw new NotFoundError(`No source "${slug}"`, 'slug');
    return source;
  }

  list(options: ListOptions): Promise<Page<SourceRecord>> {
    return this.store.listSources(options);
  }

  async update(slug: string, patch: SourcePatchInput): Promise<{ source: SourceRecord; secret: string | null }> {
    const current = await this.get(slug);
    const preset = patch.preset ?? current.preset;
    const overrides = patch.overrides ?? (current.overrides);
    this.validate(preset, overrides);
    const secret = patch.rotateSecret === true ? generateSecret() : typeof patch.rotateSecret === 'string' ? patch.rotateSecret : null;
    const source = await this.store.updateSource(
      slug,
      {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.preset === undefined ? {} : { preset: patch.preset }),
        ...(patch.overrides === undefined ? {} : { overrides: patch.overrides }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(secret === null ? {} : { secretCiphertext: this.box.seal(secret) }),
      },
      this.clock.now(),
    );
    if (source === null) throw new NotFoundError(`No source "${slug}"`, 'slug');
    this.cache.delete(slug);
    return { source, secret };
  }

  async delete(slug: string): Promise<void> {
    if (!(await this.store.deleteSource(slug))) throw new NotFoundError(`No source "${slug}"`, 'slug');
    this.cache.delete(slug);
  }

  /** For the intake: the effective definition and clear secret, cached briefly. Null if unknown. */
  async load(slug: string): Promise<LoadedSource | null> {
    const now = this.clock.now();
    const cached = this.cache.get(slug);
    if (cached !== undefined && cached.until > now) return cached.source;
    const record = await this.store.getSource(slug);
    const source = record === null ? null : this.loaded(record);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(slug, { source, until: now + this.cacheMs });
    return source;
  }

  /** The effective definition of a stored source. */
  definition(record: SourceRecord): SourceDefinition {
    return isPresetName(record.preset) ? resolveDefinition(record.preset, record.overrides) : (record.overrides as SourceDefinition);
  }

  private loaded(record: SourceRecord): LoadedSource {
    return {
      slug: record.slug,
      enabled: record.enabled,
      definition: this.definition(record),
      secret: record.secretCiphertext === null ? null : this.box.open(record.secretCiphertext),
    };
  }

  /** The preset exists and preset + overrides make a complete, valid definition. */
  private validate(preset: string, overrides: SourceOverrides): SourceDefinition {
    if (!isPresetName(preset)) throw new ValidationError('preset', `must be one of ${Object.keys(PRESETS).join(', ')}`);
    const definition = resolveDefinition(preset, overrides);
    if (!definitionValidator.Check(definition)) {
      const problem = firstFieldProblem(definitionValidator.Errors(definition), 'overrides');
      throw new ValidationError(`overrides.${problem.field}`, problem.message);
    }
    for (const rule of flatten(definition.auth)) {
      if (rule.kind === 'ip-allowlist') {
        for (const cidr of rule.cidrs) {
          const problem = checkCidr(cidr);
          if (problem !== null) throw new ValidationError('overrides.auth', problem);
        }
      } else if (rule.kind === 'signature' && rule.scheme.kind === 'ecdsa-p256') {
        for (const [id, key] of Object.entries(rule.scheme.keys)) {
          const problem = ecdsaKeyProblem(key);
          if (problem !== null) throw new ValidationError(`overrides.auth.keys.${id}`, problem);
        }
      }
    }
    return definition;
  }
}

function flatten(rules: readonly AuthRule[]): AuthRule[] {
  return rules.flatMap((rule) => (rule.kind === 'any' ? flatten(rule.rules) : [rule]));
}

/** Whether any rule checks the source secret (so one must exist). */
export function needsSecret(rules: readonly AuthRule[]): boolean {
  return flatten(rules).some(
    (rule) => rule.kind === 'bearer' || rule.kind === 'secret-header' || rule.kind === 'secret-query' || (rule.kind === 'signature' && rule.scheme.kind !== 'ecdsa-p256'),
  );
}
