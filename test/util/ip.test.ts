import { describe, expect, it } from 'vitest'
import { isLoopback, ipv4ToInt, intToIpv4, compareAddresses } from '../../harness/util/ip.ts'
import { createRng, deriveSeed } from '../../harness/util/rng.ts'

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.42.1.1', '127.255.255.254', '::1', '[::1]', '::ffff:127.0.0.1'])('accepts %s', (a) => expect(isLoopback(a)).toBe(true))
  it.each(['10.0.0.1', '192.168.1.1', '172.16.0.1', '8.8.8.8', '128.0.0.1', 'localhost', '::', '::2', '127.0.0.256', 'example.com', ''])(
    'refuses %s',
    (a) => expect(isLoopback(a)).toBe(false),
  )
})

describe('ipv4ToInt', () => {
  it('round-trips', () => {
    for (const ip of ['127.0.0.1', '127.200.128.250', '0.0.0.0', '255.255.255.255']) expect(intToIpv4(ipv4ToInt(ip))).toBe(ip)
  })
})

describe('compareAddresses', () => {
  it('orders addresses numerically, octet by octet', () => {
    expect(['127.1.128.10', '127.1.128.2', '127.1.129.1', '127.1.128.1', '127.0.200.9'].sort(compareAddresses)).toEqual([
      '127.0.200.9',
      '127.1.128.1',
      '127.1.128.2',
      '127.1.128.10',
      '127.1.129.1',
    ])
  })
})

describe('createRng', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = createRng(5)
    const b = createRng(5)
    for (let i = 0; i < 1000; i++) {
      const x = a()
      expect(x).toBe(b())
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
    }
  })
  it('derives different seeds per label', () => {
    expect(deriveSeed(1, 'pod-1')).not.toBe(deriveSeed(1, 'pod-2'))
    expect(deriveSeed(1, 'pod-1')).toBe(deriveSeed(1, 'pod-1'))
  })
})
