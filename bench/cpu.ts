// CPU time from /proc (Linux only): user + system, so the kernel's share (the sockets, the
// disk) counts; and resident memory. Each reader answers null where /proc is not there to read.
import fs from 'node:fs';
import { median } from './lib.js';

/** µs per clock tick (USER_HZ, 100 on Linux). */
const TICK_US = 1e6 / 100;

/**
 * utime + stime of a /proc stat line, in µs; with `reaped`, also cutime + cstime, the CPU of its
 * children that have exited and been waited for. The command name may hold spaces, so fields
 * count from its closing parenthesis.
 */
function statMicros(line: string, reaped = false): number {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (reaped ? own + Number(fields[13]) + Number(fields[14]) : own) * TICK_US;
}

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** CPU used so far by a process, all its threads together. */
export function processCpu(pid: number): number | null {
  const line = read(`/proc/${pid}/stat`);
  return line === null ? null : statMicros(line);
}

/** Resident memory of a process (VmRSS), in bytes: every thread's, the SQLite writer's included. */
export function processRss(pid: number): number | null {
  const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return kilobytes === undefined ? null : Number(kilobytes) * 1024;
}

/** CPU used so far by each thread of a process, by thread id. */
export function threadCpu(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const id of ids) {
    const line = read(`/proc/${pid}/task/${id}/stat`);
    if (line !== null) threads.set(id, statMicros(line));
  }
  return threads;
}

/**
 * CPU used so far by every process named `postgres` on the machine (the server, its backends
 * and its background workers), and by those that have exited: a backend whose client
 * disconnected takes its CPU with it, but the server (postmaster) reaps it and its cutime and
 * cstime take that CPU over. Without them the sum fell when backends exited during a round
 * (a client's connections closing: a pool's idle ones, another program's), at times below zero.
 */
export function postgresCpu(): number | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  let total = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const line = read(`/proc/${entry}/stat`);
    if (line !== null && line.includes(' (postgres) ')) total += statMicros(line, true);
  }
  return total;
}

/**
 * Starts measuring the named processes' CPU; the function returned gives each one's µs per
 * request over the n requests since (those that could not be read are left out).
 */
export function cpuPerRequest(processes: Record<string, () => number | null>): (n: number) => Record<string, number> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, read]) => [name, read()]));
  return (n) =>
    Object.fromEntries(
      Object.entries(processes).flatMap(([name, read]) => {
        const start = before[name];
        const end = read();
        return start == null || end === null || n === 0 ? [] : [[name, (end - start) / n]];
      }),
    );
}

/** Each process's median µs per request over the rounds, and their sum. */
export function cpuLine(rounds: ReadonlyArray<Record<string, number>>): string {
  const names = Object.keys(rounds[0] ?? {});
  if (names.length === 0) return 'not measured (no /proc)';
  const medians = names.map((name) => [name, median(rounds.map((r) => r[name] ?? 0))] as const);
  return `${medians.map(([name, us]) => `${name} ${Math.round(us)} µs`).join(' + ')} = ${Math.round(medians.reduce((sum, [, us]) => sum + us, 0))} µs`;
}

/** The processes that serve a hub's requests: the hub and, on PostgreSQL, the database server. */
export function hubProcesses(pid: number, kind: 'sqlite' | 'postgres'): Record<string, () => number | null> {
  return { hub: () => processCpu(pid), ...(kind === 'postgres' ? { PostgreSQL: postgresCpu } : {}) };
}
