/** udpCleanupFor against pkg/proxy/conntrack/cleanup.go, now (the reconciler) and before 1.32. */
import { describe, expect, it } from 'vitest'
import { udpCleanupFor } from '../../harness/proxy/udp-cleanup.ts'
import type { UdpConntrackCleanup } from '../../harness/model/scenario.ts'

const set = (...xs: string[]) => new Set(xs)
/** Which of the addresses a, b, c, d the cleanup deletes entries to ('all' for a flush). */
function deleted(policy: UdpConntrackCleanup, before: Set<string>, after: Set<string>): string[] | 'all' {
  const c = udpCleanupFor(policy, before, after)
  if (c.kind === 'all') return 'all'
  return c.kind === 'none' ? [] : ['a', 'b', 'c', 'd'].filter((x) => c.drop(x))
}

describe('udpCleanupFor', () => {
  it.each([
    ['kube-proxy', 'one of three removed: entries to anything not serving', set('a', 'b', 'c'), set('a', 'b'), ['c', 'd']],
    ['kube-proxy', 'nothing changed: still entries to non-serving addresses (a reconciler)', set('a', 'b'), set('a', 'b'), ['c', 'd']],
    ['kube-proxy', 'the last endpoint removed: a Service without endpoints is not cleaned', set('a'), set(), []],
    ['kube-proxy', 'from none to some: entries not to a serving endpoint', set(), set('a'), ['b', 'c', 'd']],
    ['kube-proxy-1.31', 'one of three removed: entries to it only', set('a', 'b', 'c'), set('a', 'b'), ['c']],
    ['kube-proxy-1.31', 'nothing changed: nothing', set('a', 'b'), set('a', 'b'), []],
    ['kube-proxy-1.31', 'the last endpoint removed: its entries', set('a'), set(), ['a']],
    ['kube-proxy-1.31', 'from none to some: every entry of the Service', set(), set('a'), 'all'],
    ['none', 'one removed: nothing', set('a', 'b'), set('a'), []],
  ] as [UdpConntrackCleanup, string, Set<string>, Set<string>, string[] | 'all'][])('%s: %s', (policy, _what, before, after, expected) => {
    expect(deleted(policy, before, after)).toEqual(expected)
  })
})
