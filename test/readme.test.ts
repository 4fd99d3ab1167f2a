// The README's walkthroughs, run as a reader would: every ```sh block in order, in one shell, in a
// fresh directory holding the built hub, against a real hub started there on the embedded SQLite
// store. The one change made to the text is the port (a free one for localhost:8080). A block
// fails the test if a command fails (`set -eu`, so a variable used but never set too; not
// pipefail, which a reader's shell does not set and `curl … | head` would trip) or if a request
// gets no answer, or the hub answers a request with 4xx or 5xx: a curl that prints its own status with
// `-w` shows a refusal on purpose, and is left alone. Blocks that install or start the hub
// (`npm …`, `DATABASE_URL=…`) are the quick start's, run by CI itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_START_MS, startHubProcess, type HubProcess } from './helpers/process.js';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Block {
  line: number;
  text: string;
}

export function readmeBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  for (const match of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const text = match[1] ?? '';
    if (/(^|\s)npm\s|DATABASE_URL=/.test(text)) continue;
    blocks.push({ line: readme.slice(0, match.index).split('\n').length, text });
  }
  return blocks;
}

function runBash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the README, run as written', () => {
  let dir: string;
  let hub: HubProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-readme-'));
    for (const entry of ['dist', 'node_modules', 'package.json']) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    hub = await startHubProcess({ DATA_DIR: path.join(dir, 'data') });
  }, HUB_START_MS);
  afterAll(async () => {
    hub?.child.kill('SIGTERM');
    await hub?.exited;
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every walkthrough block in order, each request answered without an error', async () => {
    const port = new URL(hub.url).port;
    const blocks = readmeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThan(10);
    // Every request's status on stderr (a -w of the block's own, given later, wins).
    const prelude = `set -eu\ncurl() { command curl --max-time 20 -w '%{stderr}HTTP %{http_code} %{url_effective}\\n' "$@"; }\n`;
    const script = prelude + blocks.map((b) => `echo "### README line ${b.line}" >&2\n${b.text.replaceAll('localhost:8080', `localhost:${port}`)}`).join('\n');
    const { code, stdout, stderr } = await runBash(script, dir);
    const failedAt = [...stderr.matchAll(/### README line (\d+)/g)].at(-1)?.[1];
    expect(code, `the block at README line ${failedAt} failed:\n${stderr.slice(-3000)}\n${stdout.slice(-2000)}`).toBe(0);
    const refused: string[] = [];
    let block = '';
    for (const line of stderr.split('\n')) {
      const at = /^### README line (\d+)/.exec(line);
      if (at) block = at[1]!;
      const answer = /^HTTP (\d{3}) (.*)$/.exec(line);
      // 000: no answer at all (refused, timed out).
      if (answer && (Number(answer[1]) >= 400 || answer[1] === '000')) refused.push(`README line ${block}: ${answer[1]} ${answer[2]}`);
    }
    expect(refused).toEqual([]);
  }, 300_000);
});
