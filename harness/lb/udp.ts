/**
 * The front load balancer's UDP listener (a UDP Service behind a LoadBalancer), as an AWS NLB
 * carries UDP (docs/kube-proxy-model.md "A UDP Service behind the NLB"): one flow per client
 * address and port, a node picked per new flow by the caller (the preset's algorithm among the
 * healthy nodes, or all of them when it fails open), kept while datagrams come either way within
 * the idle timeout (the NLB's fixed 120 s; a datagram after it is a new flow). Each flow gets its
 * own upstream socket bound to the client's address (client IP preservation, which AWS does not
 * let a UDP target group turn off; the kernel picks the port), sending to the node's NodePort;
 * answers go back to the client from the listening socket, as the NLB's own address.
 *
 * A flow to a node that leaves the pool ends (`endFlows`): its next datagram is a new flow, sent
 * from the same source port as before (the ended flow's socket is kept for it, up to the idle
 * timeout): the NLB keeps the client's address and port, so a node that gets the client again
 * sees the same 5-tuple, and its conntrack entry, if still alive, keeps its pick.
 */
import dgram from 'node:dgram'
import type { UdpFlow } from '../proxy/udp-flow-table.ts'
import { bindUdp, createFlowSocket, createSweptFlowTable, udpSocketType, UDP_SWEEP_MS } from '../proxy/udp-socket.ts'
import type { LbNode } from '../model/wire.ts'

/** Options for {@link startUdpLb}. */
export interface UdpLbOptions {
  address: string
  port: number
  nodePort: number
  /** The node for a new flow, or undefined (no node can take it: the datagram is dropped). */
  pick: (clientIp: string, clientPort: number) => LbNode | undefined
  /** The address a flow's upstream socket binds: the client's (client IP kept) or the load balancer's own. */
  sourceFor: (clientIp: string) => string
  /** A flow ends after this long without a datagram either way, ms. */
  idleMs: number
  /** A flow's first datagram at or after the epoch (once per flow per measurement): count it for its node. */
  onFlow: (node: string) => void
  /** A datagram no node could take, at or after the epoch. */
  onRefused: () => void
  /** The measured phase's start, ms (Date.now clock). */
  epochMs: () => number
  /** Clock, ms. @default Date.now */
  now?: () => number
}

/** A running UDP listener. */
export interface RunningUdpLb {
  /** End every flow whose node `drop` chooses (their next datagrams are new flows); returns how many. */
  endFlows(drop: (node: string) => boolean): number
  /** Live flows. */
  flows(): number
  /** The listening port (the kernel's pick when `port` was 0). */
  port(): number
  close(): void
}

/** What a flow keeps. */
interface LbFlow {
  node: LbNode
  up: dgram.Socket
  /** The epoch it was counted in. */
  countedEpoch: number
}

/**
 * The nodes whose flows end after a health change: a flow lives only on a node new flows may go
 * to. The NLB terminates its flows to a target that turns unhealthy
 * (target_health_state.unhealthy.connection_termination, on by default) "unless the unhealthy
 * target triggers the load balancer to fail open"; while it fails open every node takes flows,
 * so none ends. `healthy`: each node's health now.
 */
export function nodesLosingFlows(healthy: ReadonlyMap<string, boolean>, allUnhealthy: 'fail-open' | 'refuse'): Set<string> {
  const down = [...healthy].filter(([, ok]) => !ok).map(([name]) => name)
  const failingOpen = allUnhealthy === 'fail-open' && down.length === healthy.size
  return new Set(failingOpen ? [] : down)
}

/** Bind the listener; resolves once it is bound. */
export async function startUdpLb(o: UdpLbOptions): Promise<RunningUdpLb> {
  const now = o.now ?? Date.now
  const server = dgram.createSocket({ type: udpSocketType(o.address) })
  const end = (f: UdpFlow<LbFlow>) => f.value.up.close()
  // Every datagram either way sets the flow's end to now + the idle timeout (the NLB documents one
  // timeout for UDP, no unreplied/stream split): the flow table's `ipvs` timing is exactly that.
  const flows = createSweptFlowTable<LbFlow>({ timing: { kind: 'ipvs', udpMs: o.idleMs }, now, end })
  const table = flows.table
  let closed = false
  /** Sockets of flows ended by endFlows, by key, with when: the key's next flow sends from them again. */
  const parked = new Map<string, { up: dgram.Socket; atMs: number }>()
  const unpark = setInterval(() => {
    for (const [key, p] of parked) {
      if (now() - p.atMs < o.idleMs) continue
      parked.delete(key)
      p.up.close()
    }
  }, UDP_SWEEP_MS)

  const newFlow = (key: string, clientIp: string, clientPort: number): UdpFlow<LbFlow> | undefined => {
    const node = o.pick(clientIp, clientPort)
    if (node === undefined) return undefined
    const where = { table, key, server, client: { address: clientIp, port: clientPort }, localAddress: o.sourceFor(clientIp), closed: () => closed }
    const reuse = parked.get(key)?.up
    parked.delete(key)
    return createFlowSocket(where, (up) => ({ node, up, countedEpoch: -1 }), reuse)
  }

  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`
    let f = table.get(key)
    if (f === undefined) f = newFlow(key, rinfo.address, rinfo.port)
    else table.original(f)
    const epoch = o.epochMs()
    const measured = now() >= epoch
    if (f === undefined) {
      if (measured) o.onRefused()
      return
    }
    if (measured && f.value.countedEpoch !== epoch) {
      f.value.countedEpoch = epoch
      o.onFlow(f.value.node.name)
    }
    f.value.up.send(msg, o.nodePort, f.value.node.address)
  })
  server.on('error', () => {})
  await bindUdp(server, o.address, o.port)
  return {
    endFlows(drop) {
      const gone = table.remove((f) => drop(f.value.node.name))
      for (const f of gone) parked.set(f.key, { up: f.value.up, atMs: now() })
      return gone.length
    },
    flows: () => table.size(),
    port: () => server.address().port,
    close() {
      closed = true
      clearInterval(unpark)
      for (const p of parked.values()) p.up.close()
      parked.clear()
      flows.close()
      server.close()
    },
  }
}
