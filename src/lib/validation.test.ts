import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { firstFieldProblem, validationError } from './validation.js';

const Schema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    appId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    payload: Type.Optional(Type.Object({ user_id: Type.String(), 'a/b': Type.Optional(Type.Integer()) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
const validator = Compile(Schema);
const problem = (value: unknown, scope?: Parameters<typeof firstFieldProblem>[1]) => firstFieldProblem(validator.Errors(value), scope);

describe('firstFieldProblem', () => {
  it('names a wrong value by its path', () => {
    expect(problem({ id: '' })).toEqual({ field: 'id', message: 'must not have fewer than 1 characters' });
    expect(problem({ id: 'x', appId: 5 })).toEqual({ field: 'appId', message: 'must be string' });
    expect(problem({ id: 'x', payload: { user_id: 7 } })).toEqual({ field: 'payload.user_id', message: 'must be string' });
    expect(problem({ id: 'x', payload: { user_id: 'u', 'a/b': 'no' } })).toEqual({ field: 'payload.a/b', message: 'must be integer' });
  });

  it('names a missing or an unexpected property by its full path', () => {
    expect(problem({})).toEqual({ field: 'id', message: 'is required' });
    expect(problem({ id: 'x', payload: {} })).toEqual({ field: 'payload.user_id', message: 'is required' });
    expect(problem({ id: 'x', nickname: 'n' })).toEqual({ field: 'nickname', message: 'is not an allowed property' });
    expect(problem({ id: 'x', payload: { user_id: 'u', extra: 1 } })).toEqual({ field: 'payload.extra', message: 'is not an allowed property' });
  });

  it('names the whole value when the value itself is wrong', () => {
    expect(problem(null)).toEqual({ field: 'body', message: 'must be object' });
    expect(problem([], { whole: 'querystring' })).toEqual({ field: 'querystring', message: 'must be object' });
    expect(firstFieldProblem([], { whole: 'params' })).toEqual({ field: 'params', message: 'is invalid' });
  });

  it('leads every field with the input the value sits in', () => {
    expect(problem({ id: 'x', payload: { user_id: 7 } }, { under: 'config' })).toEqual({ field: 'config.payload.user_id', message: 'must be string' });
    expect(problem({ nickname: 'n', id: 'x' }, { under: 'config' })).toEqual({ field: 'config.nickname', message: 'is not an allowed property' });
    expect(problem({ id: 'x', payload: {} }, { under: 'config' })).toEqual({ field: 'config.payload.user_id', message: 'is required' });
    expect(problem('text', { under: 'config' })).toEqual({ field: 'config', message: 'must be object' });
  });
});

describe('validationError', () => {
  it('is the 400 naming the field', () => {
    const error = validationError(validator.Errors({ id: 'x', appId: 5 }), { under: 'overrides' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_request', field: 'overrides.appId', message: 'overrides.appId must be string' });
  });
});
