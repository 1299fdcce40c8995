/**
 * Which UDP flows the front load balancer ends when a node's health changes: the flows of the
 * nodes new flows may not go to, as the NLB terminates flows to an unhealthy target "unless the
 * unhealthy target triggers the load balancer to fail open" (AWS, Health checks for Network Load
 * Balancer target groups). Worked by hand from that sentence.
 */
import { describe, expect, it } from 'vitest'
import { nodesLosingFlows } from '../../harness/lb/udp.ts'

describe('nodesLosingFlows', () => {
  it.each([
    ['all healthy: none', { a: true, b: true }, 'fail-open', []],
    ['one of two down: its flows end', { a: true, b: false }, 'fail-open', ['b']],
    ['two of three down: theirs end', { a: false, b: true, c: false }, 'fail-open', ['a', 'c']],
    ['all down, failing open: every node takes flows, none ends', { a: false, b: false }, 'fail-open', []],
    ['all down, refusing: every flow ends (no node takes any)', { a: false, b: false }, 'refuse', ['a', 'b']],
    ['one down, refusing: its flows end', { a: true, b: false }, 'refuse', ['b']],
  ] as const)('%s', (_what, health, allUnhealthy, expected) => {
    expect([...nodesLosingFlows(new Map(Object.entries(health)), allUnhealthy)].sort()).toEqual(expected)
  })
})
