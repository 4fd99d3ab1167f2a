// The OpenAPI document clients generate from: committed as docs/openapi.json and checked for
// drift against what the route schemas make, linted with Redocly's recommended rules (no
// errors; the only warnings are the few operations that cannot answer otherwise), and every
// operation named, secured or said to be public.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateOpenApiText, OPENAPI_FILE } from '../scripts/api-types.js';

const run = promisify(execFile);
const REDOCLY = path.resolve(import.meta.dirname, '../node_modules/.bin/redocly');

/** Warnings that say what these operations are, not a flaw: probes answer no 4xx, redirects no 2xx. */
const EXPECTED_WARNINGS = new Set([
  'operation-4xx-response #/paths/~1healthz/get/responses',
  'operation-4xx-response #/paths/~1readyz/get/responses',
  'operation-4xx-response #/paths/~1metrics/get/responses',
  'operation-2xx-response #/paths/~1c~1{link}/get/responses',
  ...['reward', 'rewards'].flatMap((p) =>
    ['get', 'post', 'put', 'patch', 'delete'].flatMap((m) => [`operation-2xx-response #/paths/~1api~1${p}~1postback/${m}/responses`, `operation-4xx-response #/paths/~1api~1${p}~1postback/${m}/responses`]),
  ),
]);

describe('the OpenAPI document (docs/openapi.json)', () => {
  it('is what the route schemas make (run npm run api-types after changing one)', async () => {
    expect(fs.readFileSync(OPENAPI_FILE, 'utf8'), 'docs/openapi.json differs from the server’s schemas: run npm run api-types').toBe(await generateOpenApiText());
  }, 120_000);

  it('passes Redocly’s recommended rules with no error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      fs.writeFileSync(file, await generateOpenApiText());
      const { stdout } = await run(REDOCLY, ['lint', file, '--format=json', '--max-problems=1000'], { cwd: dir }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
      const problems = (JSON.parse(stdout) as { problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> }).problems;
      const found = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
      expect(found.filter((p) => p.startsWith('error'))).toEqual([]);
      expect(problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}`).filter((p) => !EXPECTED_WARNINGS.has(p))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('names every operation once, says how each is secured, and has no one-way union', () => {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>> };
    const ids: string[] = [];
    for (const [url, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${url}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
        expect(operation.security, `${method} ${url}`).toBeDefined();
        ids.push(operation.operationId!);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/c/{link}']?.get?.operationId).toBe('followTrackingLink');
    expect(doc.paths['/postbacks/{slug}']?.post?.security).toEqual([]);
    expect(doc.paths['/admin/api/destinations']?.get?.operationId).toBe('listDestinations');
    const oneWay: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${at}/${i}`));
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value) && value.length === 1) oneWay.push(`${at}/${key}`);
          visit(value, `${at}/${key}`);
        }
      }
    };
    visit(doc, '#');
    expect(oneWay).toEqual([]);
  });
});
