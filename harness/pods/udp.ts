/**
 * The built-in pod's UDP side (a UDP Service): one query datagram in, one answer out (its id and
 * the pod's name, padded to the pod's response size, util/udp-query.ts) after the pod's service
 * time; `errorRate` drops the answer (UDP has no error status: the client's query times out).
 * Queries are counted per source address and, as flows, per source address and port.
 */
import dgram from 'node:dgram'
import { encodeAnswer } from '../util/udp-query.ts'
import type { PodFault } from '../model/wire.ts'

/** What the UDP side needs of its pod. */
export interface UdpPodOptions {
  name: string
  address: string
  port: number
  responseBytes: number
  /** The service time of one answer, ms. */
  sample(): number
  rng(): number
  errorRate: number
  fault(): PodFault
  /** Count one query from `peer` on flow `flow` (one object per source address and port). */
  onQuery(flow: object, peer: string): void
  /** The query just counted is not answered on purpose. */
  onDropped(): void
}

/** A pod's UDP socket. */
export interface UdpPod {
  /** Stop receiving; resolves once the answers already due have gone. */
  close(): Promise<void>
  /** Stop at once (a crash): answers still due are lost. */
  crash(): void
}

/** Most flow keys kept for counting before the oldest are forgotten (per-query source ports make one per query). */
const MAX_FLOW_KEYS = 200_000

/** Bind the pod's UDP socket; resolves once it is bound. */
export async function startUdpPod(o: UdpPodOptions): Promise<UdpPod> {
  const sock = dgram.createSocket({ type: o.address.includes(':') ? 'udp6' : 'udp4' })
  const flows = new Map<string, object>()
  const flowOf = (addr: string, port: number) => {
    const key = `${addr}:${port}`
    let f = flows.get(key)
    if (f === undefined) {
      if (flows.size >= MAX_FLOW_KEYS) flows.delete(flows.keys().next().value as string)
      f = {}
      flows.set(key, f)
    }
    return f
  }
  let pending = 0
  let closing: (() => void) | null = null
  let dead = false
  const settle = () => {
    if (pending === 0 && closing !== null) closing()
  }
  sock.on('message', (msg, rinfo) => {
    const fault = o.fault()
    if (fault.hang || closing !== null) return
    o.onQuery(flowOf(rinfo.address, rinfo.port), rinfo.address)
    const errorRate = fault.errorRate ?? o.errorRate
    if (errorRate > 0 && o.rng() < errorRate) {
      o.onDropped()
      return
    }
    const answer = encodeAnswer(msg, o.name, o.responseBytes)
    const delayMs = o.sample() + fault.extraLatencyMs
    const send = () => {
      if (!dead) sock.send(answer, rinfo.port, rinfo.address)
    }
    if (delayMs <= 0) {
      send()
      return
    }
    pending++
    setTimeout(() => {
      pending--
      send()
      settle()
    }, delayMs)
  })
  sock.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject)
    sock.bind({ address: o.address, port: o.port, exclusive: true }, () => {
      sock.off('error', reject)
      resolve()
    })
  })
  const shut = () => {
    if (dead) return
    dead = true
    sock.close()
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        closing = () => {
          shut()
          resolve()
        }
        settle()
      }),
    crash: shut,
  }
}
