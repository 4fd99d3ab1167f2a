import { describe, expect, it } from 'vitest';
import { nameTitledSchemas } from './openapi.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const user = { title: 'User', type: 'object', properties: { id: { type: 'string' } } };

describe('nameTitledSchemas', () => {
  it('moves titled schemas, nested ones too, to components and references them', () => {
    const page = { type: 'object', properties: { items: { type: 'array', items: user }, nextCursor: { type: 'string' } } };
    const document = {
      openapi: '3.1.0',
      paths: {
        '/users': { get: { responses: { 200: json(page) } } },
        '/users/{id}': { get: { parameters: [{ in: 'path', name: 'id', schema: { type: 'string' } }], responses: { 200: json(user) } } },
      },
    };
    nameTitledSchemas(document);
    expect(document.paths['/users/{id}'].get.responses[200]).toEqual(json({ $ref: '#/components/schemas/User' }));
    expect(document.paths['/users'].get.responses[200]).toEqual(json({ ...page, properties: { ...page.properties, items: { type: 'array', items: { $ref: '#/components/schemas/User' } } } }));
    expect(document.paths['/users/{id}'].get.parameters).toEqual([{ in: 'path', name: 'id', schema: { type: 'string' } }]);
    expect(document).toMatchObject({ components: { schemas: { User: user } } });
  });

  it('names the schemas inside a named one, and lists the names in order', () => {
    const event = { title: 'Event', type: 'object', properties: { user: user, at: { type: 'string' } } };
    const document = { paths: { '/events': { get: { responses: { 200: json(event) } } } }, components: { securitySchemes: { admin: { type: 'http' } } } };
    nameTitledSchemas(document);
    const components = document.components as { schemas: Record<string, unknown>; securitySchemes: unknown };
    expect(Object.keys(components.schemas)).toEqual(['Event', 'User']);
    expect(components.schemas.Event).toEqual({ title: 'Event', type: 'object', properties: { user: { $ref: '#/components/schemas/User' }, at: { type: 'string' } } });
    expect(components.securitySchemes).toEqual({ admin: { type: 'http' } });
  });

  it('leaves values alone: a title in a default or an example names nothing', () => {
    const schema = { type: 'object', default: { title: 'Draft' }, examples: [{ title: 'Draft' }], properties: { title: { type: 'string' } } };
    const document = { paths: { '/notes': { post: { responses: { 200: json(schema) } } } } };
    nameTitledSchemas(document);
    expect(document.paths['/notes'].post.responses[200]).toEqual(json(schema));
    expect(document).toMatchObject({ components: { schemas: {} } });
  });

  it('refuses two different schemas under one title, and a title that is not a name', () => {
    const other = { ...user, properties: { id: { type: 'integer' } } };
    expect(() => nameTitledSchemas({ paths: { '/a': { get: { responses: { 200: json(user) } } }, '/b': { get: { responses: { 200: json(other) } } } } })).toThrow(
      'Two different schemas are titled "User"',
    );
    expect(() => nameTitledSchemas({ paths: { '/a': { get: { responses: { 200: json({ ...user, title: 'A user' }) } } } } })).toThrow('is not a name');
  });
});
