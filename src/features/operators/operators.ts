import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { hashSecret, secretPrefix } from '../../lib/secrets.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { AdminKeyRecord, OperatorRecord, OperatorsDal } from './operators-dal.js';
import { checkPassword, hashPassword, passwordMatches } from './passwords.js';
import { ROLE_SCOPES, SCOPE_NAMES, type Actor, type Role, type Scope } from './roles.js';

export interface SessionPolicy {
  /** A session unused this long is over. */
  idleMs: number;
  /** A session is over this long after its sign-in, however busy. */
  absoluteMs: number;
}

/** An invitation holds for a week. */
export const INVITE_MS = 7 * 24 * 3600_000;
/** How often a session's or key's last use is written: a busy dashboard's every request is not a write. */
const TOUCH_EVERY_MS = 60_000;

/** Where a sign-in came from, kept with its session. */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

/** The admin token: an owner key that needs no store. */
export const ADMIN_TOKEN_ACTOR: Actor = { kind: 'key', id: 'admin-token', name: 'admin token', role: 'owner', scopes: new Set(SCOPE_NAMES) };

const token = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;
const normalEmail = (email: string) => email.trim().toLowerCase();

export function operatorActor(operator: OperatorRecord, sessionId?: string): Actor {
  return { kind: 'operator', id: operator.id, name: operator.email, role: operator.role, scopes: new Set(ROLE_SCOPES[operator.role]), ...(sessionId ? { sessionId } : {}) };
}

/**
 * Operators (people with a role), their sessions, and admin API keys. Sessions are random
 * 256-bit tokens kept as SHA-256 (a copy of the table signs nobody in), over after `idleMs`
 * unused or `absoluteMs` after sign-in, read on every request so that a role change or a
 * removal applies at once. The last active owner can be neither demoted nor removed.
 */
export class OperatorService {
  private readonly keys: TtlCache<string, AdminKeyRecord | null>;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: OperatorsDal,
    private readonly clock: Clock,
    readonly policy: SessionPolicy,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.keys = new TtlCache(clock, 1000);
  }

  /** The first owner (or another), from the command line: active at once. */
  async createOwner(email: string, password: string): Promise<OperatorRecord> {
    checkPassword(password);
    const now = this.clock.now();
    const address = checkEmail(email);
    if ((await this.store.byEmail(address)) !== null) throw new ConflictError(`An operator with email ${address} already exists`, 'email');
    return this.store.insert({ id: newId(), email: address, role: 'owner', password_hash: await hashPassword(password), invite_hash: null, invite_expires_at: null, invited_by: null, created_at: now, updated_at: now });
  }

  /** An invitation: the operator exists, without a password, until the token is accepted. */
  async invite(by: Actor, input: { email: string; role: Role }): Promise<{ operator: OperatorRecord; inviteToken: string }> {
    const address = checkEmail(input.email);
    if ((await this.store.byEmail(address)) !== null) throw new ConflictError(`An operator with email ${address} already exists`, 'email');
    const now = this.clock.now();
    const inviteToken = token('inv_');
    const operator = await this.store.insert({
      id: newId(),
      email: address,
      role: input.role,
      password_hash: null,
      invite_hash: hashSecret(inviteToken),
      invite_expires_at: now + INVITE_MS,
      invited_by: by.name,
      created_at: now,
      updated_at: now,
    });
    return { operator, inviteToken };
  }

  /** A new invitation for an operator who has not accepted yet (the old one stops working). */
  async reinvite(id: string): Promise<{ operator: OperatorRecord; inviteToken: string }> {
    const found = await this.get(id);
    if (found.active) throw new ConflictError(`${found.email} has already accepted; they can change their password when signed in`, 'id');
    const inviteToken = token('inv_');
    const now = this.clock.now();
    const operator = await this.store.update(id, { invite_hash: hashSecret(inviteToken), invite_expires_at: now + INVITE_MS, updated_at: now });
    if (operator === null) throw new NotFoundError(`No operator "${id}"`, 'id');
    return { operator, inviteToken };
  }

  /** Sets the invited operator's password and signs them in. */
  async accept(inviteToken: string, password: string, client: ClientInfo): Promise<{ operator: OperatorRecord; session: string }> {
    checkPassword(password);
    const invited = await this.store.byInvite(hashSecret(inviteToken));
    if (invited === null || invited.inviteExpiresAt === null || invited.inviteExpiresAt <= this.clock.now()) {
      throw new ValidationError('token', 'is not a valid invitation (unknown, used or expired: ask an owner for a new one)', 'invalid_invitation');
    }
    const operator = await this.store.update(invited.id, { password_hash: await hashPassword(password), invite_hash: null, invite_expires_at: null, updated_at: this.clock.now() });
    if (operator === null) throw new ValidationError('token', 'is not a valid invitation (the operator was removed)', 'invalid_invitation');
    return { operator, session: await this.openSession(operator, client) };
  }

  /** A new session for the right email and password; the same refusal for a wrong either. */
  async signIn(email: string, password: string, client: ClientInfo): Promise<{ operator: OperatorRecord; session: string }> {
    const found = await this.store.byEmail(normalEmail(email));
    if (!(await passwordMatches(found?.passwordHash ?? null, password)) || found === null) throw new UnauthorizedError('Wrong email or password');
    return { operator: found.operator, session: await this.openSession(found.operator, client) };
  }

  /** The operator a session cookie speaks for, or null when it is unknown or over. */
  async session(cookie: string): Promise<Actor | null> {
    const id = hashSecret(cookie);
    const found = await this.store.session(id);
    if (found === null || !found.operator.active) return null;
    const now = this.clock.now();
    // This process's own last sight of the session counts too: its write may still be on its way.
    const seen = Math.max(found.session.lastSeenAt, this.touched.get(`session:${id}`) ?? 0);
    if (now - seen >= this.policy.idleMs || now - found.session.createdAt >= this.policy.absoluteMs) {
      await this.store.deleteSession(id);
      return null;
    }
    this.touch(`session:${id}`, now, () => this.store.touchSession(id, now));
    return operatorActor(found.operator, id);
  }

  async signOut(sessionId: string): Promise<void> {
    await this.store.deleteSession(sessionId);
  }

  /** A new password; every other session of the operator is signed out. */
  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    if (actor.kind !== 'operator') throw new ForbiddenError('Only a signed-in operator has a password to change');
    checkPassword(next, 'newPassword');
    const found = await this.store.get(actor.id);
    if (found === null || !(await passwordMatches(found.passwordHash, current))) throw new ValidationError('currentPassword', 'is not your current password', 'wrong_password');
    await this.store.update(actor.id, { password_hash: await hashPassword(next), updated_at: this.clock.now() });
    await this.store.deleteSessions(actor.id, actor.sessionId);
  }

  list(options: ListOptions): Promise<Page<OperatorRecord>> {
    return this.store.list(options);
  }

  async get(id: string): Promise<OperatorRecord> {
    const found = await this.store.get(id);
    if (found === null) throw new NotFoundError(`No operator "${id}"`, 'id');
    return found.operator;
  }

  async setRole(id: string, role: Role): Promise<OperatorRecord> {
    const outcome = await this.store.changeOwner(id, { role, now: this.clock.now() });
    if (outcome === 'missing') throw new NotFoundError(`No operator "${id}"`, 'id');
    if (outcome === 'last_owner') throw new ConflictError('This is the last owner: make another operator owner first', 'role', 'last_owner');
    return this.get(id);
  }

  /** Removes an operator and their sessions; an owner does not remove themself. */
  async remove(by: Actor, id: string): Promise<void> {
    if (by.kind === 'operator' && by.id === id) throw new ConflictError('You cannot remove yourself; another owner can', 'id', 'self');
    const outcome = await this.store.changeOwner(id, 'remove');
    if (outcome === 'missing') throw new NotFoundError(`No operator "${id}"`, 'id');
    if (outcome === 'last_owner') throw new ConflictError('This is the last owner: make another operator owner first', 'id', 'last_owner');
  }

  /** Whether anyone can sign in with a password yet (start-up says how to create the first owner). */
  async hasOperators(): Promise<boolean> {
    return (await this.store.count()) > 0;
  }

  async createKey(by: Actor, input: { name: string; scopes: readonly Scope[] }): Promise<AdminKeyRecord & { key: string }> {
    const key = token('phk_');
    const record = await this.store.insertKey({
      id: newId(),
      name: input.name,
      key_hash: hashSecret(key),
      prefix: secretPrefix(key),
      scopes: JSON.stringify([...new Set(input.scopes)]),
      created_by: by.name,
      created_at: this.clock.now(),
      last_used_at: null,
      revoked_at: null,
    });
    return { ...record, key };
  }

  listKeys(options: ListOptions): Promise<Page<AdminKeyRecord>> {
    return this.store.listKeys(options);
  }

  async revokeKey(id: string): Promise<AdminKeyRecord> {
    const record = await this.store.revokeKey(id, this.clock.now());
    this.keys.clear();
    if (record === null) throw new NotFoundError(`No admin API key "${id}"`, 'id');
    return record;
  }

  /** The key's actor, or null for an unknown or revoked key. Remembered a second, as app keys are. */
  async key(key: string): Promise<Actor | null> {
    const found = await this.keys.getOrLoad(key, () => this.store.activeKey(hashSecret(key)), (known) => known !== null);
    if (found === null) return null;
    const now = this.clock.now();
    this.touch(`key:${found.id}`, now, () => this.store.touchKey(found.id, now));
    return { kind: 'key', id: found.id, name: `key "${found.name}"`, role: null, scopes: new Set(found.scopes) };
  }

  private async openSession(operator: OperatorRecord, client: ClientInfo): Promise<string> {
    const session = token('');
    const now = this.clock.now();
    await this.store.deleteEndedSessions(operator.id, now - this.policy.absoluteMs, now - this.policy.idleMs);
    await this.store.insertSession({ id: hashSecret(session), operator_id: operator.id, created_at: now, last_seen_at: now, address: client.address, user_agent: client.userAgent?.slice(0, 300) ?? null });
    return session;
  }

  private touch(key: string, now: number, write: () => Promise<void>): void {
    const last = this.touched.get(key);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    if (this.touched.size >= 10_000) {
      for (const [k, at] of this.touched) if (now - at >= this.policy.idleMs) this.touched.delete(k);
    }
    this.touched.set(key, now);
    // Off the request's path: a failure to note the use must not fail the request.
    write().catch(this.onError);
  }
}

function checkEmail(email: string): string {
  const address = normalEmail(email);
  // The shape only: an invitation's link, not a mail, proves the address.
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) || address.length > 254) throw new ValidationError('email', 'must be an email address');
  return address;
}
