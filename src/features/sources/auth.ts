import { BlockList, isIP } from 'node:net';
import { bearerToken, safeEqual } from '../../lib/secrets.js';
import { field, verifySignature, type SignedRequest, type Verdict } from './signatures.js';
import type { AuthRule } from './definition.js';
import { parseTimestamp } from './mapping.js';

export interface AuthContext {
  request: SignedRequest;
  /** The client address as the hub sees it (after any trusted proxy). */
  ip: string;
  now: number;
}

/** Every rule must pass; the first failure says why. `secret` is the source's, decrypted. */
export function authenticate(rules: readonly AuthRule[], context: AuthContext, secret: string | null): Verdict {
  for (const rule of rules) {
    const verdict = check(rule, context, secret);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

function check(rule: AuthRule, context: AuthContext, secret: string | null): Verdict {
  const { request } = context;
  switch (rule.kind) {
    case 'bearer':
      return matchSecret(bearerToken(header(request, 'authorization')), secret, 'Authorization: Bearer');
    case 'secret-header':
      return matchSecret(header(request, rule.header.toLowerCase()), secret, `header ${rule.header}`);
    case 'secret-query':
      return matchSecret(field(request.fields, rule.param), secret, `query parameter ${rule.param}`);
    case 'ip-allowlist':
      return allowedIp(rule.cidrs, context.ip) ? { ok: true } : { ok: false, reason: `address ${context.ip} is not in the allowlist` };
    case 'signature':
      if (secret === null && rule.scheme.kind !== 'ecdsa-p256') return { ok: false, reason: 'the source has no secret to verify signatures with' };
      return verifySignature(rule.scheme, request, secret ?? '');
    case 'timestamp': {
      const text = field(request.fields, rule.path);
      const at = text === undefined ? null : parseTimestamp(text);
      if (at === null) return { ok: false, reason: `timestamp ${rule.path} missing or unreadable` };
      const skew = Math.abs(context.now - at) / 1000;
      return skew <= rule.toleranceSeconds
        ? { ok: true }
        : { ok: false, reason: `timestamp ${rule.path} is ${Math.round(skew)} s away from now (tolerance ${rule.toleranceSeconds} s)` };
    }
    case 'any': {
      const reasons: string[] = [];
      for (const alternative of rule.rules) {
        const verdict = check(alternative, context, secret);
        if (verdict.ok) return verdict;
        reasons.push(verdict.reason);
      }
      return { ok: false, reason: reasons.join('; ') };
    }
  }
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function matchSecret(presented: string | undefined, secret: string | null, where: string): Verdict {
  if (secret === null) return { ok: false, reason: 'the source has no secret configured' };
  if (presented === undefined || presented === '') return { ok: false, reason: `secret missing (${where})` };
  return safeEqual(presented, secret) ? { ok: true } : { ok: false, reason: `wrong secret (${where})` };
}

const allowlists = new Map<string, BlockList>();

/** IPv4 and IPv6 CIDR blocks (a bare address is a /32 or /128); IPv4-mapped IPv6 counts as IPv4. */
export function allowedIp(cidrs: readonly string[], ip: string): boolean {
  const key = cidrs.join(',');
  let list = allowlists.get(key);
  if (list === undefined) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.trim().split('/');
      const family = isIP(address);
      if (family === 0) continue;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      list.addSubnet(address, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), type);
    }
    allowlists.set(key, list);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A CIDR block the allowlist can use, or a reason it cannot. */
export function checkCidr(cidr: string): string | null {
  const [address = '', bits] = cidr.trim().split('/');
  const family = isIP(address);
  if (family === 0) return `"${cidr}" is not an IP address or CIDR block`;
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128))) return `"${cidr}" has an invalid prefix length`;
  return null;
}
