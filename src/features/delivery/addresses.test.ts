import { describe, expect, it } from 'vitest';
import { allowList, isAllowEntry, refusal, refusedAddress } from './addresses.js';

const none = allowList([]);

describe('refusedAddress', () => {
  it.each([
    ['0.0.0.0', 'an unspecified address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['192.168.0.1', 'a private address'],
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['100.127.255.254', 'a carrier-grade NAT address'],
    ['192.0.0.1', 'a reserved address'],
    ['192.0.0.170', 'a reserved address'],
    ['198.18.0.1', 'a reserved address'],
    ['240.0.0.1', 'a reserved address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['::', 'an unspecified address'],
    ['::1', 'a loopback address'],
    ['fe80::1', 'a link-local address'],
    ['fc00::1', 'a unique-local (private) address'],
    ['fd12:3456::1', 'a unique-local (private) address'],
    ['ff02::1', 'a multicast address'],
    ['64:ff9b::7f00:1', 'a NAT64 address'],
    ['64:ff9b::808:808', 'a NAT64 address'],
    ['64:ff9b:1::1', 'a NAT64 address'],
    ['2002:7f00:1::1', 'a 6to4 address'],
    ['2002:808:808::1', 'a 6to4 address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'a Teredo address'],
    ['::ffff:0:7f00:1', 'an IPv4-translated address'],
    // IPv4-compatible, in both spellings: ipaddr.js alone reads `::a.b.c.d` as IPv4-mapped.
    ['::7f00:1', 'an IPv4-compatible address'],
    ['::127.0.0.1', 'an IPv4-compatible address'],
    ['::808:808', 'an IPv4-compatible address'],
    ['::8.8.8.8', 'an IPv4-compatible address'],
    ['2001:db8::1', 'a reserved address'],
  ])('refuses %s as %s', (address, why) => {
    expect(refusedAddress(address, none)).toBe(`${address} is ${why}`);
  });

  it.each(['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:1', '0:0:0:0:0:ffff:7f00:1', '0:0:0:0:0:ffff:127.0.0.1', '0::ffff:127.0.0.1'])(
    'judges the IPv4-mapped %s as 127.0.0.1',
    (address) => {
      expect(refusal(address, none)).toBe('a loopback address (IPv4-mapped 127.0.0.1)');
    },
  );

  it('judges other IPv4-mapped addresses as the address they embed', () => {
    expect(refusal('::ffff:a9fe:a9fe', none)).toBe('a link-local address (IPv4-mapped 169.254.169.254)');
    expect(refusal('::ffff:10.0.0.1', none)).toBe('a private address (IPv4-mapped 10.0.0.1)');
    expect(refusal('::ffff:8.8.8.8', none)).toBeNull();
  });

  it('lets public unicast addresses through', () => {
    for (const address of ['8.8.8.8', '93.184.216.34', '1.1.1.1', '100.63.255.255', '100.128.0.1', '192.0.3.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect(refusedAddress(address, none), address).toBeNull();
    }
  });

  it('refuses what is not an IP address', () => {
    expect(refusal('localhost', none)).toBe('not an IP address');
  });
});

describe('allowList', () => {
  it('lets through what it covers, and only that', () => {
    const allow = allowList(['127.0.0.2/32', '10.0.0.0/8', 'fd00::/8', '169.254.169.254']);
    expect(refusedAddress('127.0.0.2', allow)).toBeNull();
    expect(refusedAddress('127.0.0.1', allow)).toBe('127.0.0.1 is a loopback address');
    expect(refusedAddress('10.200.0.1', allow)).toBeNull();
    expect(refusedAddress('fd00::1', allow)).toBeNull();
    expect(refusedAddress('fc00::1', allow)).not.toBeNull();
    expect(refusedAddress('169.254.169.254', allow)).toBeNull();
    expect(refusedAddress('169.254.169.253', allow)).not.toBeNull();
  });

  it('matches an IPv4-mapped address against IPv4 entries, in every spelling', () => {
    const allow = allowList(['127.0.0.2/32']);
    for (const address of ['::ffff:127.0.0.2', '::ffff:7f00:2', '0:0:0:0:0:ffff:7f00:2']) {
      expect(refusedAddress(address, allow), address).toBeNull();
    }
    expect(refusedAddress('::ffff:7f00:1', allow)).not.toBeNull();
    // IPv4-compatible is no spelling of the IPv4 address: the allow list does not cover it.
    expect(refusedAddress('::127.0.0.2', allow)).not.toBeNull();
  });

  it('reads IPv4-mapped entries as the IPv4 block they embed', () => {
    for (const entry of ['::ffff:127.0.0.0/104', '::ffff:7f00:0/104', '::ffff:127.0.0.2']) {
      const allow = allowList([entry]);
      expect(refusedAddress('127.0.0.2', allow), entry).toBeNull();
      expect(refusedAddress('::ffff:127.0.0.2', allow), entry).toBeNull();
    }
    expect(refusedAddress('127.0.0.1', allowList(['::ffff:127.0.0.2']))).not.toBeNull();
    expect(refusedAddress('127.0.0.1', allowList(['::ffff:127.0.0.0/104']))).toBeNull();
  });

  it('accepts addresses and CIDR blocks in strict syntax only', () => {
    for (const entry of ['127.0.0.1', '127.0.0.0/8', '::1', 'fd00::/8', '::ffff:127.0.0.1/128', ' 10.0.0.0/8 ']) {
      expect(isAllowEntry(entry), entry).toBe(true);
    }
    for (const entry of ['localhost', '10.0.0.0/33', '::/129', '10.0.0.0/8/8', '10.0.0.0/x', '010.0.0.0/8', '2130706433', '0x7f.1', '']) {
      expect(isAllowEntry(entry), entry).toBe(false);
    }
  });
});
