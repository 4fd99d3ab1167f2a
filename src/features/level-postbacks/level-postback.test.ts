import { describe, expect, it } from 'vitest';
import { parseLevelPostback } from './level-postback.js';

const UID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const EXAMPLE_BODY = { pid: 'cashgiraffe', uid: UID, gid: 'my_game', level_number: 10 };

describe('parseLevelPostback', () => {
  it('accepts the partner postback API example as written', () => {
    expect(parseLevelPostback(EXAMPLE_BODY)).toEqual({ ok: true, value: EXAMPLE_BODY });
  });

  it.each([
    [{ pid: 'p', userId: UID, gid: 'g', level_number: 5 }],
    [{ pid: 'p', user_id: UID, gid: 'g', level_number: 5 }],
    [{ pid: 'p', uid: UID, game_id: 'g', level_number: 5 }],
    [{ pid: 'p', uid: UID, gameId: 'g', level_number: 5 }],
    [{ pid: 'p', uid: UID, gid: 'g', level: 5 }],
  ])('accepts the aliases of %j', (body) => {
    expect(parseLevelPostback(body)).toEqual({ ok: true, value: { pid: 'p', uid: UID, gid: 'g', level_number: 5 } });
  });

  it('keeps the optional reason and lower-cases the uuid', () => {
    const parsed = parseLevelPostback({ ...EXAMPLE_BODY, uid: UID.toUpperCase(), reason: 'boss beaten' });
    expect(parsed).toEqual({ ok: true, value: { ...EXAMPLE_BODY, reason: 'boss beaten' } });
  });

  it('takes a whole-number string for the level', () => {
    expect(parseLevelPostback({ ...EXAMPLE_BODY, level_number: '15' })).toMatchObject({ ok: true, value: { level_number: 15 } });
  });

  it.each([
    [{ uid: UID, gid: 'g', level_number: 5 }, 'pid', 'is required'],
    [{ pid: 'p', gid: 'g', level_number: 5 }, 'uid', 'is required'],
    [{ pid: 'p', uid: UID, level_number: 5 }, 'gid', 'is required'],
    [{ pid: 'p', uid: UID, gid: 'g' }, 'level_number', 'is required'],
    [{ ...EXAMPLE_BODY, uid: 'not-a-uuid' }, 'uid', 'must match format "uuid"'],
    [{ pid: 'p', userId: 'nope', gid: 'g', level_number: 5 }, 'userId', 'must match format "uuid"'],
    [{ ...EXAMPLE_BODY, level_number: 0 }, 'level_number', 'must be >= 1'],
    [{ ...EXAMPLE_BODY, level_number: -5 }, 'level_number', 'must be >= 1'],
    [{ ...EXAMPLE_BODY, level_number: 2.5 }, 'level_number', 'must be integer'],
    [{ pid: 'p', uid: UID, gid: 'g', level: 'ten' }, 'level', 'must be integer'],
    [{ ...EXAMPLE_BODY, pid: '' }, 'pid', 'must not have fewer than 1 characters'],
    [{ ...EXAMPLE_BODY, pid: 7 }, 'pid', 'must be string'],
    [{ ...EXAMPLE_BODY, reason: 12 }, 'reason', 'must be string'],
  ])('rejects %j naming %s', (body, field, message) => {
    expect(parseLevelPostback(body)).toEqual({ ok: false, problem: { field, message } });
  });

  it.each([null, [], 'text', 42])('rejects a body that is not an object: %j', (body) => {
    expect(parseLevelPostback(body)).toEqual({ ok: false, problem: { field: 'body', message: 'must be a JSON object' } });
  });
});
