import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, UniqueViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { crud } from '../../db/crud.js';
import { everyItem, type ListOptions, type Page } from '../../db/paging.js';
import { parseJson, type GoalProgressTable, type GoalsTable } from '../../db/schema.js';
import type { NewEvent, RecordEventCommand } from '../conversions/events-types.js';
import type { MatchableEvent } from '../destinations/definition.js';
import type { HubDb } from '../procedures.js';
import { advance, fullMask, GOAL_EVENT_TYPE, GOALS_SOURCE, goalFacts, type Goal, type GoalConfig } from './definition.js';
import type { GoalAdvance } from './goal-sql.js';

function goalFromRow(row: GoalsTable): Goal {
  return { id: row.id, name: row.name, config: parseJson<GoalConfig>(row.config), enabled: Number(row.enabled) === 1, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

export interface GoalProgress {
  goal: Goal;
  /** A group: which of its conditions are met; a count: null. */
  met: boolean[] | null;
  /** Events counted toward it (a count: toward the next completion when repeating). */
  count: number;
  completions: number;
  windowStart: number;
  /** When the current window ends (null: no window). */
  windowEnds: number | null;
  updatedAt: number;
}

export function goalsDal(db: HubDb) {
  const goals = crud(db, { table: 'goals', key: 'id', order: 'asc', fromRow: goalFromRow });
  return {
    createGoal: (goal: Goal) => goals.insert({ id: goal.id, name: goal.name, config: JSON.stringify(goal.config), enabled: goal.enabled ? 1 : 0, created_at: goal.createdAt, updated_at: goal.updatedAt }),
    getGoal: (id: string) => goals.get(id),
    listGoals: (options: ListOptions) => goals.list(options),
    updateGoal: (id: string, patch: { name?: string; config?: GoalConfig; enabled?: boolean }, now: number) =>
      goals.update(id, {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: now,
      }),
    /** The goal and every user's progress toward it (its completed events stay). */
    async deleteGoal(id: string): Promise<boolean> {
      const [, deleted] = await db.execute([
        db.kysely.deleteFrom('goal_progress').where('goal_id', '=', id).compile(),
        db.kysely.deleteFrom('goals').where('id', '=', id).returning('id').compile(),
      ]);
      return (deleted?.length ?? 0) > 0;
    },
    progressOf(userId: string): Promise<GoalProgressTable[]> {
      return db.read((k) => k.selectFrom('goal_progress').selectAll().where('user_id', '=', userId).orderBy('goal_id').execute());
    },
  };
}

export type GoalsDal = ReturnType<typeof goalsDal>;

/**
 * Goals: the operator's definitions (admin API), the active ones read at most once a second (as
 * sources and destinations are), what an event advances (for the intake, before the
 * transaction), and each user's progress.
 */
export class GoalService {
  private readonly active: TtlCache<'goals', Goal[]>;

  constructor(
    private readonly store: GoalsDal,
    private readonly clock: Clock,
    private readonly deliveriesFor: (event: MatchableEvent) => Promise<Array<{ id: string; destinationId: string }>>,
  ) {
    this.active = new TtlCache(clock, 1000);
  }

  async create(input: { id?: string; name: string; config: GoalConfig; enabled?: boolean }): Promise<Goal> {
    const now = this.clock.now();
    checkConfig(input.config);
    try {
      return await this.store.createGoal({ id: input.id ?? newId(), name: input.name, config: input.config, enabled: input.enabled ?? true, createdAt: now, updatedAt: now });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`A goal with id "${input.id}" already exists`, 'id');
      throw error;
    } finally {
      this.active.clear();
    }
  }

  list(options: ListOptions): Promise<Page<Goal>> {
    return this.store.listGoals(options);
  }

  async get(id: string): Promise<Goal> {
    const goal = await this.store.getGoal(id);
    if (goal === null) throw new NotFoundError(`No goal "${id}"`, 'id');
    return goal;
  }

  /**
   * A changed definition applies to events from now on; progress made so far is kept, read by
   * the new conditions' positions (change a group's conditions and its users start again only
   * if you delete the goal and create it anew).
   */
  async update(id: string, patch: { name?: string; config?: GoalConfig; enabled?: boolean }): Promise<Goal> {
    if (patch.config !== undefined) checkConfig(patch.config);
    try {
      const goal = await this.store.updateGoal(id, patch, this.clock.now());
      if (goal === null) throw new NotFoundError(`No goal "${id}"`, 'id');
      return goal;
    } finally {
      this.active.clear();
    }
  }

  async delete(id: string): Promise<void> {
    try {
      if (!(await this.store.deleteGoal(id))) throw new NotFoundError(`No goal "${id}"`, 'id');
    } finally {
      this.active.clear();
    }
  }

  /** Every goal and the user's progress toward it (none yet: zero). */
  async progress(userId: string): Promise<GoalProgress[]> {
    const rows = new Map((await this.store.progressOf(userId)).map((row) => [row.goal_id, row]));
    return (await this.enabledGoals(true)).map((goal) => {
      const row = rows.get(goal.id);
      const met = goal.config.kind === 'all' ? goal.config.conditions.map((_, i) => ((Number(row?.met ?? 0) >> i) & 1) === 1) : null;
      const windowStart = Number(row?.window_start ?? 0);
      const windowMs = goal.config.windowSeconds === undefined ? null : goal.config.windowSeconds * 1000;
      const count = Number(row?.count ?? 0);
      return {
        goal,
        met,
        count: goal.config.kind === 'count' && goal.config.repeat === true ? count % goal.config.count : count,
        completions: Number(row?.completions ?? 0),
        windowStart,
        windowEnds: row === undefined || windowMs === null ? null : windowStart + windowMs,
        updatedAt: Number(row?.updated_at ?? 0),
      };
    });
  }

  /**
   * The command with the goals its event advances, each with the ids and deliveries of the
   * goal's own event should it complete; a reversal's with every goal (matched on its original
   * inside the transaction). Unchanged when there are no goals.
   */
  async prepare(command: RecordEventCommand): Promise<RecordEventCommand> {
    const goals = await this.enabledGoals(false);
    if (goals.length === 0 || command.event.userId === null) return command;
    if (command.reversalOf !== undefined) return { ...command, goalsToRetreat: goals };
    const facts = goalFacts(command.event);
    const advances: GoalAdvance[] = [];
    for (const goal of goals) {
      const step = advance(goal, facts);
      if (step === null) continue;
      advances.push({
        goal: { id: goal.id, name: goal.name, config: goal.config, createdAt: goal.createdAt },
        bits: 'bits' in step ? step.bits : 0,
        completion: { eventId: newId(), ledgerEntryId: newId(), deliveries: await this.deliveriesFor(goalEventFacts(goal, command.event)) },
      });
    }
    return advances.length === 0 ? command : { ...command, goals: advances };
  }

  private async enabledGoals(all: boolean): Promise<Goal[]> {
    const goals = await this.active.getOrLoad('goals', async () => {
      const list: Goal[] = [];
      for await (const goal of everyItem((options) => this.store.listGoals(options))) list.push(goal);
      return list;
    });
    return all ? goals : goals.filter((goal) => goal.enabled);
  }
}

/** A goal's event as destinations match it: type `goal`, source `goals`, the goal's id, the completing event's partner. */
function goalEventFacts(goal: Goal, by: Pick<NewEvent, 'partner'>): MatchableEvent {
  return { type: GOAL_EVENT_TYPE, source: GOALS_SOURCE, offerId: null, partner: by.partner, goal: goal.id };
}

function checkConfig(config: GoalConfig): void {
  if (config.kind === 'all') {
    fullMask(config);
    config.conditions.forEach((condition, i) => {
      if (Object.keys(condition).length === 0) throw new ValidationError(`config.conditions.${i}`, 'must name at least one of eventType, offer, source, levelAtLeast, data');
    });
  } else if (Object.keys(config.condition).length === 0) {
    throw new ValidationError('config.condition', 'must name at least one of eventType, offer, source, levelAtLeast, data');
  }
}
