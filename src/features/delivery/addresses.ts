import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a destination may reach. Only plain public unicast passes, as ipaddr.js
 * classifies it; everything else (private, loopback, link-local and metadata, CGNAT, reserved,
 * multicast, NAT64, 6to4, Teredo, …) is refused unless the operator's allow list covers it.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface AllowList {
  readonly ipv4: readonly (readonly [ipaddr.IPv4, number])[];
  readonly ipv6: readonly (readonly [ipaddr.IPv6, number])[];
}

/** How a refusal names ipaddr.js's ranges; any other range is named as ipaddr.js names it. */
const LABELS: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT',
  private: 'a private',
  reserved: 'a reserved',
  uniqueLocal: 'a unique-local (private)',
  rfc6145: 'an IPv4-translated',
  rfc6052: 'a NAT64',
  '6to4': 'a 6to4',
  teredo: 'a Teredo',
  ipv4Compatible: 'an IPv4-compatible',
};

/**
 * ipaddr.js reads the spelling `::a.b.c.d` as `::ffff:a.b.c.d` (its "deprecated transitional"
 * rule), which would judge the IPv4-compatible `::8.8.8.8` as a public IPv4 address. `0::a.b.c.d`
 * is the same address and is parsed as it is. Node spells IPv4-compatible DNS answers that way.
 */
function parse(text: string): Address {
  return ipaddr.parse(text.startsWith('::') ? `0${text}` : text);
}

/** An IPv4-mapped IPv6 address is the IPv4 address it embeds, wherever it is judged. */
function unmapped(address: Address): Address {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/** The ipaddr.js range of `address`, or `ipv4Compatible`. */
function rangeOf(address: Address): string {
  const range = address.range();
  // ipaddr.js has no range for the deprecated IPv4-compatible ::/96 (RFC 4291 2.5.5.1) and calls
  // it unicast; :: and ::1, inside it, are already unspecified and loopback.
  if (range === 'unicast' && address instanceof ipaddr.IPv6 && address.parts.slice(0, 6).every((part) => part === 0)) return 'ipv4Compatible';
  return range;
}

function allowed(address: Address, allow: AllowList): boolean {
  if (address instanceof ipaddr.IPv4) return allow.ipv4.some(([net, bits]) => address.match(net, bits));
  return allow.ipv6.some(([net, bits]) => address.match(net, bits));
}

/**
 * Why `address` (an IP literal) may not be reached, e.g. "a loopback address", or null when it
 * may. `allow` holds the operator's exceptions.
 */
export function refusal(address: string, allow: AllowList): string | null {
  let parsed: Address;
  try {
    parsed = unmapped(parse(address));
  } catch {
    return 'not an IP address';
  }
  if (allowed(parsed, allow)) return null;
  const range = rangeOf(parsed);
  if (range === 'unicast') return null;
  const label = `${LABELS[range] ?? `a special-purpose (${range})`} address`;
  return parsed instanceof ipaddr.IPv4 && address.includes(':') ? `${label} (IPv4-mapped ${parsed.toString()})` : label;
}

/** `address is <why>`, or null when `address` may be reached. */
export function refusedAddress(address: string, allow: AllowList): string | null {
  const why = refusal(address, allow);
  return why === null ? null : `${address} is ${why}`;
}

/** One OUTBOUND_ALLOW entry (an address or a CIDR block), or null if it is neither. */
function parseCidr(text: string): readonly [Address, number] | null {
  const [address = '', bits, extra] = text.trim().split('/');
  // Node's strict syntax, not ipaddr.js's: `010.0.0.0` or `2130706433` would be read as octal or a number.
  if (extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || isIP(address) === 0) return null;
  const net = parse(address);
  const max = net instanceof ipaddr.IPv4 ? 32 : 128;
  const length = bits === undefined ? max : Number(bits);
  if (length > max) return null;
  // A mapped block is the IPv4 block it embeds, as the addresses it is matched against are.
  if (net instanceof ipaddr.IPv6 && net.isIPv4MappedAddress() && length >= 96) return [net.toIPv4Address(), length - 96];
  return [net, length];
}

/** Whether `text` is an address or CIDR block OUTBOUND_ALLOW accepts. */
export function isAllowEntry(text: string): boolean {
  return parseCidr(text) !== null;
}

export function allowList(cidrs: readonly string[]): AllowList {
  const ipv4: [ipaddr.IPv4, number][] = [];
  const ipv6: [ipaddr.IPv6, number][] = [];
  for (const cidr of cidrs) {
    const entry = parseCidr(cidr);
    if (entry === null) continue;
    const [net, bits] = entry;
    if (net instanceof ipaddr.IPv4) ipv4.push([net, bits]);
    else ipv6.push([net, bits]);
  }
  return { ipv4, ipv6 };
}
