import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../scripts/api-types.js';

describe('the dashboard’s API types (web/src/api-types.gen.ts)', () => {
  it('are what the server’s route schemas generate', async () => {
    const generated = await generateApiTypes();
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed, 'web/src/api-types.gen.ts differs from the server’s schemas: run npm run api-types').toBe(generated);
  }, 120_000);
});
