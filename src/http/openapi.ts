import { isDeepStrictEqual } from 'node:util';

// @fastify/swagger leaves a route's own schemas inline (only those registered with addSchema
// become components), so the same Event or Error is spelled out in every route that answers
// one, and nothing in the document names it. A TypeBox schema given a `title` is named here:
// it becomes `components.schemas[title]`, referenced from wherever it was. The dashboard's
// types (web/src/api-types.gen.ts) are generated from these names.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Values, not schemas: a `title` in an example or a default names nothing.
const DATA_KEYWORDS = new Set(['default', 'const', 'enum', 'example', 'examples']);

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Moves every schema with a `title` under `paths` to `components.schemas` (in place). Two
 * different schemas with the same title are a mistake in the server's schemas: it throws.
 */
export function nameTitledSchemas<T extends object>(document: T): T {
  const doc = document as unknown as JsonObject;
  const components = isObject(doc.components) ? doc.components : (doc.components = {});
  const named = isObject(components.schemas) ? components.schemas : (components.schemas = {});

  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYWORDS.has(key) ? value : visit(value);
    const title = out.title;
    if (typeof title !== 'string') return out;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(title)) throw new Error(`The schema title "${title}" is not a name: letters and digits only`);
    const seen = named[title];
    if (seen !== undefined && !isDeepStrictEqual(seen, out)) throw new Error(`Two different schemas are titled "${title}": give one another title`);
    named[title] = out;
    return { $ref: `#/components/schemas/${title}` };
  };

  if (doc.paths !== undefined) doc.paths = visit(doc.paths);
  // By name, not by the order routes happen to be registered in.
  components.schemas = Object.fromEntries(Object.entries(named).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return document;
}
