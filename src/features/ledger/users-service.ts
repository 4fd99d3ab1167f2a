import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, UniqueViolationError } from '../../lib/errors.js';
import { isUuid } from '../../lib/ids.js';
import type { UserRecord } from './ledger-types.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { UsersDal } from './users-dal.js';

/** Users of the operator's reward app and their coin balances. */
export class UserService {
  constructor(
    private readonly store: Pick<UsersDal, 'createUser' | 'getUser' | 'listUsers' | 'updateUser' | 'deleteUser'>,
    private readonly clock: Clock,
  ) {}

  async create(input: { id?: string; appId?: string | null; deviceId?: string | null }): Promise<UserRecord> {
    // uuids are compared as level postbacks send them after normalising: lower case.
    const id = input.id === undefined ? randomUUID() : isUuid(input.id) ? input.id.toLowerCase() : input.id;
    try {
      return await this.store.createUser({ id, appId: input.appId ?? null, deviceId: input.deviceId ?? null, createdAt: this.clock.now() });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`A user with id "${id}" already exists`, 'id');
      throw error;
    }
  }

  async get(id: string): Promise<UserRecord> {
    const user = await this.store.getUser(normaliseId(id));
    if (user === null) throw new NotFoundError(`No user with id "${id}"`, 'id');
    return user;
  }

  list(options: ListOptions): Promise<Page<UserRecord>> {
    return this.store.listUsers(options);
  }

  async update(id: string, patch: { appId?: string | null; deviceId?: string | null }): Promise<UserRecord> {
    const user = await this.store.updateUser(normaliseId(id), patch, this.clock.now());
    if (user === null) throw new NotFoundError(`No user with id "${id}"`, 'id');
    return user;
  }

  async delete(id: string): Promise<void> {
    const outcome = await this.store.deleteUser(normaliseId(id));
    if (outcome === 'not_found') throw new NotFoundError(`No user with id "${id}"`, 'id');
    if (outcome === 'has_ledger') throw new ConflictError(`User "${id}" has ledger entries; a ledger is never rewritten`, 'id', 'user_has_ledger');
  }
}

function normaliseId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : id;
}
