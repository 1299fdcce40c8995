/**
 * Which UDP flows the front load balancer ends when a node's health changes: the flows of the
 * nodes new flows may not go to, as the NLB terminates flows to an unhealthy target "unless the
 * unhealthy target triggers the load balancer to fail open" (AWS, Health checks for Network Load
 * Balancer target groups). Worked by hand from that sentence.
 */
import dgram from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { nodesLosingFlows, startUdpLb } from '../../harness/lb/udp.ts'

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

describe('startUdpLb on real sockets', () => {
  /** A node's NodePort that answers each datagram with the sender's address and port. */
  async function echoNode(address: string): Promise<{ port: number; close: () => void }> {
    const s = dgram.createSocket('udp4')
    s.on('message', (_m, r) => s.send(`${r.address}:${r.port}`, r.port, r.address))
    await new Promise<void>((resolve) => s.bind(0, address, () => resolve()))
    return { port: s.address().port, close: () => s.close() }
  }
  /** A client socket on `address` that sends one datagram and waits up to 300 ms for the answer. */
  async function client(address: string) {
    const s = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => s.bind(0, address, () => resolve()))
    const query = (port: number) =>
      new Promise<{ answer: string; from: string } | null>((resolve) => {
        const t = setTimeout(() => resolve(null), 300)
        s.once('message', (m, r) => {
          clearTimeout(t)
          resolve({ answer: m.toString(), from: `${r.address}:${r.port}` })
        })
        s.send('q', port, '127.0.0.1')
      })
    return { query, port: () => s.address().port, close: () => s.close() }
  }

  it('one flow per client address and port, kept; answers from the LB address; counted once per epoch; a lapsed or ended flow is picked again (an ended one from the same source port); no node: refused', async () => {
    const node = await echoNode('127.0.0.1')
    let clock = 1_000
    let epoch = 0
    const picks: string[] = []
    const counted: string[] = []
    let refuse = false
    let refused = 0
    const lb = await startUdpLb({
      address: '127.0.0.1',
      port: 0,
      nodePort: node.port,
      pick: (ip, port) => {
        picks.push(`${ip}:${port}`)
        return refuse ? undefined : { name: 'node-a', address: '127.0.0.1' }
      },
      sourceFor: (ip) => ip,
      idleMs: 120_000,
      onFlow: (n) => counted.push(n),
      onRefused: () => refused++,
      epochMs: () => epoch,
      now: () => clock,
    })
    const c = await client('127.0.0.7')
    try {
      const port = lb.port()
      const first = await c.query(port)
      // The node saw the client's own address (client IP kept), the client the LB's.
      expect(first!.answer.startsWith('127.0.0.7:')).toBe(true)
      expect(first!.from).toBe(`127.0.0.1:${port}`)
      await c.query(port)
      expect(picks).toEqual([`127.0.0.7:${c.port()}`])
      expect(counted).toEqual(['node-a'])
      // A new measured phase: the live flow counts again, once.
      epoch = clock
      await c.query(port)
      await c.query(port)
      expect(counted).toEqual(['node-a', 'node-a'])
      expect(lb.flows()).toBe(1)
      // 120 s without a datagram: the next one is a new flow (a new pick).
      clock += 120_000
      const beforeEnd = await c.query(port)
      expect(picks).toHaveLength(2)
      // Ended (its node left the pool): a new pick again, sent from the same source port (the NLB
      // keeps the client's port: a node that gets the flow again sees the same 5-tuple).
      expect(lb.endFlows((n) => n === 'node-a')).toBe(1)
      const afterEnd = await c.query(port)
      expect(picks).toHaveLength(3)
      expect(afterEnd!.answer).toBe(beforeEnd!.answer)
      // No node for a new flow: the datagram is dropped and counted as refused.
      lb.endFlows(() => true)
      refuse = true
      expect(await c.query(port)).toBeNull()
      expect(refused).toBe(1)
    } finally {
      c.close()
      lb.close()
      node.close()
    }
  })
})
