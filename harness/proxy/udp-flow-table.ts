/**
 * A node's table of UDP flows, timed as the kernel times their entries. Pure: time is injected.
 *
 * conntrack (iptables and nftables modes), net/netfilter/nf_conntrack_proto_udp.c
 * `nf_conntrack_udp_packet`, run for every packet of the entry in either direction:
 * - the first packet (the entry not yet confirmed) sets `stream_ts` to 2 s after it;
 * - once the entry has seen a reply (IPS_SEEN_REPLY), a packet refreshes it to now + the
 *   unreplied timeout, or to now + the stream (replied) timeout if `stream_ts` has passed, and
 *   marks it ASSURED;
 * - before that, every packet refreshes it to now + the unreplied timeout.
 * IPS_SEEN_REPLY is set by nf_conntrack_in after the protocol's handler, on the first packet in
 * the reply direction: that packet itself is still timed as unreplied. Defaults: 30 s and 120 s
 * (`udp_timeouts`; sysctls nf_conntrack_udp_timeout and nf_conntrack_udp_timeout_stream).
 *
 * IPVS (ipvs mode), net/netfilter/ipvs/ip_vs_proto_udp.c `udp_state_transition`: every packet
 * sets the connection's timeout to the UDP timeout (`IP_VS_UDP_S_NORMAL`, 300 s unless kube-proxy's
 * ipvs.udpTimeout), so an entry lives that long after its last packet, whichever way it went.
 */

/** How a node times its UDP entries. */
export type UdpFlowTiming =
  | { kind: 'conntrack'; unrepliedMs: number; streamMs: number }
  | { kind: 'ipvs'; udpMs: number }

/** How long after its first packet a replied entry waits before the stream timeout applies, ms (`2 * HZ`). */
export const UDP_STREAM_AFTER_MS = 2000

/** One entry. */
export interface UdpFlow<T> {
  readonly key: string
  /** What the owner keeps with it (the endpoint, the upstream socket). */
  readonly value: T
  /** Its first packet, ms. */
  readonly createdAtMs: number
  /** When it lapses unless another packet comes, ms. */
  expiresAtMs: number
  /** A packet has gone the reply way (IPS_SEEN_REPLY). */
  seenReply: boolean
  /** ASSURED: a packet after the first reply (conntrack only). */
  assured: boolean
}

/** A node's UDP entries. */
export interface UdpFlowTable<T> {
  /** The live entry for `key`, or undefined (an entry past its time is removed first). */
  get(key: string): UdpFlow<T> | undefined
  /** A new entry from its first packet (original direction), now. */
  create(key: string, value: T): UdpFlow<T>
  /** A packet of `flow` from the client (original direction), now. */
  original(flow: UdpFlow<T>): void
  /** A packet of `flow` from the endpoint (reply direction), now. */
  reply(flow: UdpFlow<T>): void
  /** Remove every live entry `drop` chooses (conntrack -D); returns them. */
  remove(drop: (flow: UdpFlow<T>) => boolean): UdpFlow<T>[]
  /** Remove the entries past their time; returns them. */
  sweep(): UdpFlow<T>[]
  /** Live entries (some may have lapsed since the last sweep). */
  size(): number
}

/** Options for {@link createUdpFlowTable}. */
export interface UdpFlowTableOptions<T = unknown> {
  timing: UdpFlowTiming
  /** Clock, ms. */
  now: () => number
  /** An entry found past its time by `get` was removed (sweep returns the ones it removes). @default nothing */
  onLapse?: (flow: UdpFlow<T>) => void
}

/** An empty table. */
export function createUdpFlowTable<T>(o: UdpFlowTableOptions<T>): UdpFlowTable<T> {
  const flows = new Map<string, UdpFlow<T> & { streamAtMs: number }>()
  const t = o.timing
  // nf_conntrack_udp_packet's refresh (or IPVS's), for a packet at `now` in either direction.
  const refresh = (f: UdpFlow<T> & { streamAtMs: number }, now: number) => {
    if (t.kind === 'ipvs') {
      f.expiresAtMs = now + t.udpMs
      return
    }
    if (f.seenReply) {
      f.expiresAtMs = now + (now > f.streamAtMs ? t.streamMs : t.unrepliedMs)
      f.assured = true
    } else {
      f.expiresAtMs = now + t.unrepliedMs
    }
  }
  const live = (f: UdpFlow<T>, now: number) => now < f.expiresAtMs
  return {
    get(key) {
      const f = flows.get(key)
      if (f === undefined) return undefined
      if (live(f, o.now())) return f
      flows.delete(key)
      o.onLapse?.(f)
      return undefined
    },
    create(key, value) {
      const now = o.now()
      const f = { key, value, createdAtMs: now, expiresAtMs: now, seenReply: false, assured: false, streamAtMs: now + UDP_STREAM_AFTER_MS }
      refresh(f, now)
      flows.set(key, f)
      return f
    },
    original: (flow) => refresh(flow as UdpFlow<T> & { streamAtMs: number }, o.now()),
    reply(flow) {
      refresh(flow as UdpFlow<T> & { streamAtMs: number }, o.now())
      flow.seenReply = true // after the handler, as nf_conntrack_in sets IPS_SEEN_REPLY
    },
    remove(drop) {
      const now = o.now()
      const out: UdpFlow<T>[] = []
      for (const [k, f] of flows) {
        if (live(f, now) && drop(f)) {
          flows.delete(k)
          out.push(f)
        }
      }
      return out
    },
    sweep() {
      const now = o.now()
      const out: UdpFlow<T>[] = []
      for (const [k, f] of flows) {
        if (!live(f, now)) {
          flows.delete(k)
          out.push(f)
        }
      }
      return out
    },
    size: () => flows.size,
  }
}
