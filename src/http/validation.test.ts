import { Type, type TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import type { ValidationError } from '../lib/errors.js';
import { parseTime, validatorCompiler } from './validation.js';

function compile(schema: TSchema, httpPart: string) {
  const validate = validatorCompiler({ schema, httpPart, method: 'GET', url: '/' });
  return (input: unknown) => validate(input) as { value?: unknown; error?: ValidationError };
}

const Query = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  ratio: Type.Optional(Type.Number()),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('failed')])),
});

describe('validatorCompiler', () => {
  it('converts query text to numbers and fills in defaults', () => {
    const query = compile(Query, 'querystring');
    expect(query({})).toEqual({ value: { limit: 50 } });
    expect(query({ limit: '7', ratio: '0.25' })).toEqual({ value: { limit: 7, ratio: 0.25 } });
    // Parsed query strings have no prototype.
    expect(query(Object.assign(Object.create(null) as object, { limit: '12' }))).toEqual({ value: { limit: 12 } });
  });

  it('refuses query text that does not spell the number, naming the field', () => {
    const query = compile(Query, 'querystring');
    for (const limit of ['1.5', 'true', '', 'x', ['5', '6']]) {
      expect(query({ limit }).error).toMatchObject({ field: 'limit', message: 'limit must be integer' });
    }
    expect(query({ ratio: 'true' }).error).toMatchObject({ field: 'ratio' });
    expect(query({ limit: '100000' }).error).toMatchObject({ field: 'limit', message: 'limit must be <= 500' });
    expect(query({ state: 'maybe' }).error).toMatchObject({ field: 'state' });
  });

  it('checks formats', () => {
    const query = compile(Query, 'querystring');
    expect(query({ from: '2025-01-01T00:00:00Z' })).toEqual({ value: { limit: 50, from: '2025-01-01T00:00:00Z' } });
    expect(query({ from: 'yesterday' }).error).toMatchObject({ field: 'from' });
    const body = compile(Type.Object({ uid: Type.String({ format: 'uuid' }), url: Type.String({ format: 'uri' }), email: Type.String({ format: 'email' }) }), 'body');
    expect(body({ uid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', url: 'https://a.example/x', email: 'a@b.example' })).toHaveProperty('value');
    expect(body({ uid: 'not-a-uuid', url: 'https://a.example/x', email: 'a@b.example' }).error).toMatchObject({ field: 'uid' });
    expect(body({ uid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', url: 'no scheme', email: 'a@b.example' }).error).toMatchObject({ field: 'url' });
    expect(body({ uid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', url: 'https://a.example/x', email: 'nobody' }).error).toMatchObject({ field: 'email' });
  });

  it('does not coerce bodies, but fills in their defaults', () => {
    const Body = Type.Object(
      { appId: Type.Optional(Type.String()), check: Type.Object({ action: Type.String({ default: 'off' }), max: Type.Integer({ default: 20 }) }, { default: { action: 'off', max: 20 } }) },
      { additionalProperties: false },
    );
    const body = compile(Body, 'body');
    expect(body({ appId: 5 }).error).toMatchObject({ statusCode: 400, code: 'invalid_request', field: 'appId', message: 'appId must be string' });
    expect(body({ check: { max: '5' } }).error).toMatchObject({ field: 'check.max' });
    expect(body({ nickname: 'x' }).error).toMatchObject({ field: 'nickname', message: 'nickname is not an allowed property' });
    expect(body({})).toEqual({ value: { check: { action: 'off', max: 20 } } });
    expect(body({ check: { action: 'flag' } })).toEqual({ value: { check: { action: 'flag', max: 20 } } });
    expect(body(null).error).toMatchObject({ field: 'body', message: 'body must be object' });
  });

  it("names the field of the union's branch the value chose by its constant", () => {
    const Config = Type.Object({
      config: Type.Union([
        Type.Object({ kind: Type.Literal('all'), conditions: Type.Array(Type.String(), { minItems: 1 }) }, { additionalProperties: false }),
        Type.Object({ kind: Type.Literal('count'), condition: Type.String(), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      ]),
    });
    const body = compile(Config, 'body');
    expect(body({ config: { kind: 'count', condition: 'x', count: 0 } }).error).toMatchObject({ field: 'config.count', message: 'config.count must be >= 1' });
    expect(body({ config: { kind: 'count', count: 5 } }).error).toMatchObject({ field: 'config.condition' });
    expect(body({ config: { kind: 'all' } }).error).toMatchObject({ field: 'config.conditions' });
    expect(body({ config: { kind: 'all', conditions: ['a'] } })).toEqual({ value: { config: { kind: 'all', conditions: ['a'] } } });
  });

  it('checks path parameters', () => {
    expect(compile(Type.Object({ id: Type.String() }), 'params')({ id: 'x', extra: 'y' })).toEqual({ value: { id: 'x', extra: 'y' } });
    expect(compile(Type.Object({ id: Type.String() }), 'params')({}).error).toMatchObject({ field: 'id', message: 'id is required' });
  });
});

describe('parseTime', () => {
  it('takes a date alone as the start of that day, UTC', () => {
    expect(parseTime('from', '2026-12-02')).toBe(Date.UTC(2026, 11, 2));
    expect(parseTime('from', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('takes an RFC 3339 date-time with its offset', () => {
    expect(parseTime('from', '2026-12-02T10:00:00Z')).toBe(Date.UTC(2026, 11, 2, 10));
    expect(parseTime('to', '2026-12-02T10:00:00.250+02:00')).toBe(Date.UTC(2026, 11, 2, 8, 0, 0, 250));
  });

  it('refuses anything else, naming the field', () => {
    for (const text of ['2026-02-30', '2026-13-01', '2026-12-2', '02/12/2026', 'Dec 2 2026', '2026-12-02T10:00:00', '2026-12-02 10:00', 'yesterday', '']) {
      expect(() => parseTime('from', text), text).toThrow(expect.objectContaining({ field: 'from', message: expect.stringContaining('is not a date-time or a date') }));
    }
  });
});
