import { describe, expect, it } from 'vitest';
import { refusedAddress } from '../../src/net/address-policy.js';

describe('the address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'private (unique local)'],
    ['fd12:3456::1', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata)'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusedAddress(address, false)).toBe(reason);
  });

  it.each(['93.184.215.14', '172.32.0.1', '100.128.0.1', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(refusedAddress(address, false)).toBeUndefined();
  });

  it('allows loopback only when the host says so, and never the rest', () => {
    expect(refusedAddress('127.0.0.1', true)).toBeUndefined();
    expect(refusedAddress('::1', true)).toBeUndefined();
    expect(refusedAddress('::ffff:127.0.0.1', true)).toBeUndefined();
    expect(refusedAddress('10.0.0.1', true)).toBe('private');
    expect(refusedAddress('169.254.169.254', true)).toBe('link-local (cloud metadata)');
  });
});
