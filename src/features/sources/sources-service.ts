import { Compile } from 'typebox/compile';
import { checkCidr } from './auth.js';
import { ecdsaKeyProblem } from './signatures.js';
import { SourceDefinitionSchema, type AuthRule, type SourceDefinition, type SourceOverrides } from './definition.js';
import { isPresetName, PRESETS, resolveDefinition } from './presets.js';
import { validationError } from '../../lib/validation.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { ConflictError, NotFoundError, UniqueViolationError, ValidationError } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { generateSecret } from '../../lib/secrets.js';
import type { Redactor } from '../conversions/raw-request.js';
import type { SourceRecord } from './sources-types.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { SourcesDal } from './sources-dal.js';

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

type SourceStore = Pick<SourcesDal, 'createSource' | 'getSource' | 'listSources' | 'updateSource' | 'deleteSource'>;

/**
 * Inbound partners: preset + overrides, authentication secret encrypted at rest. Keeps the
 * redactor told of the names every source's authentication reads (its credentials may arrive
 * under any name): all of them read at start and by `readCredentialNames`, and each source's
 * own at once when this process creates, changes, deletes or (re)loads it.
 */
export class SourceService {
  private readonly cache: TtlCache<string, LoadedSource | null>;
  /** Per slug, as of the last full read. */
  private listedNames = new Map<string, readonly string[]>();
  /** Per slug, learned since (a deleted source: none); these win over the listed ones. */
  private readonly learnedNames = new Map<string, readonly string[]>();
  private publishedNames = '';
  private reading: Promise<void> | null = null;

  constructor(
    private readonly store: SourceStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    /** How long the intake may use a loaded source before reading it again (other processes' changes). */
    cacheMs = 1000,
  ) {
    this.cache = new TtlCache(clock, cacheMs);
  }

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
      this.learn(input.slug, definition);
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
    this.learn(slug, this.definition(source));
    return { source, secret };
  }

  async delete(slug: string): Promise<void> {
    if (!(await this.store.deleteSource(slug))) throw new NotFoundError(`No source "${slug}"`, 'slug');
    this.cache.delete(slug);
    this.learn(slug, null);
  }

  /** For the intake: the effective definition and clear secret, cached briefly. Null if unknown. */
  load(slug: string): Promise<LoadedSource | null> {
    return this.cache.getOrLoad(slug, async () => {
      const record = await this.store.getSource(slug);
      const source = record === null ? null : this.loaded(record);
      // Changed or deleted by another process: its names are current before this request is recorded or logged.
      this.learn(slug, source?.definition ?? null);
      return source;
    });
  }

  /**
   * Reads every source's credential names: at start, and again now and then for sources that
   * other processes sharing the database changed and this one has not loaded since. What
   * this process learned while the read ran is newer, and stays.
   */
  readCredentialNames(): Promise<void> {
    this.reading ??= (async () => {
      const learnedBefore = new Map(this.learnedNames);
      const listed = new Map<string, readonly string[]>();
      let cursor: string | undefined;
      do {
        const page = await this.store.listSources({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
        // A stored definition without rules (its preset gone since) reads no names; it does not stop the hub.
        for (const record of page.items) listed.set(record.slug, credentialNames((this.definition(record) as Partial<SourceDefinition>).auth ?? []));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      for (const [slug, names] of learnedBefore) if (this.learnedNames.get(slug) === names) this.learnedNames.delete(slug);
      this.listedNames = listed;
      this.publishNames();
    })().finally(() => (this.reading = null));
    return this.reading;
  }

  /** The effective definition of a stored source. */
  definition(record: SourceRecord): SourceDefinition {
    return isPresetName(record.preset) ? resolveDefinition(record.preset, record.overrides) : (record.overrides as SourceDefinition);
  }

  private learn(slug: string, definition: SourceDefinition | null): void {
    const known = this.learnedNames.get(slug) ?? this.listedNames.get(slug);
    // An unknown slug that is still unknown: nothing to remember (anyone can send those).
    if (definition === null && known === undefined) return;
    const names = definition === null ? [] : credentialNames(definition.auth);
    if (known !== undefined && known.length === names.length && known.every((name, i) => name === names[i])) return;
    this.learnedNames.set(slug, names);
    this.publishNames();
  }

  private publishNames(): void {
    const names = new Set<string>();
    for (const [slug, listed] of this.listedNames) for (const name of this.learnedNames.get(slug) ?? listed) names.add(name);
    for (const [slug, learned] of this.learnedNames) if (!this.listedNames.has(slug)) for (const name of learned) names.add(name);
    const key = [...names].sort().join('\n');
    if (key === this.publishedNames) return;
    this.publishedNames = key;
    this.redactor.setNames(names);
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
    if (!definitionValidator.Check(definition)) throw validationError(definitionValidator.Errors(definition), { under: 'overrides' });
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

/**
 * The names a source's credentials or signature are read under: secret query parameters and
 * headers, signature parameters, fields and headers, ECDSA's signature and key-id parameters.
 */
export function credentialNames(rules: readonly AuthRule[]): string[] {
  return flatten(rules).flatMap((rule) => {
    if (rule.kind === 'secret-query') return [rule.param];
    if (rule.kind === 'secret-header') return [rule.header];
    if (rule.kind !== 'signature') return [];
    const { scheme } = rule;
    if (scheme.kind === 'ecdsa-p256') return [scheme.signatureParam ?? 'signature', scheme.keyIdParam ?? 'key_id'];
    const { location } = scheme;
    return ['header' in location ? location.header : 'query' in location ? location.query : location.field];
  });
}

/** Whether any rule checks the source secret (so one must exist). */
export function needsSecret(rules: readonly AuthRule[]): boolean {
  return flatten(rules).some(
    (rule) => rule.kind === 'bearer' || rule.kind === 'secret-header' || rule.kind === 'secret-query' || (rule.kind === 'signature' && rule.scheme.kind !== 'ecdsa-p256'),
  );
}
