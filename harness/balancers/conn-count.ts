/**
 * A node's IPVS connection table as the connection-aware schedulers (lc, wlc, sed, nq) and the
 * graceful termination of real servers see it: per real server, active entries (ESTABLISHED) and
 * inactive ones (every other TCP state) that live on after the connection closed until their
 * state's timeout lapses. Keyed by endpoint name, so that counts survive an update that keeps the
 * endpoint (and a real server deleted and added again, as the kernel's dest trash keeps it).
 *
 * Sources: ip_vs_proto_tcp.c `set_tcp_state` moves an entry from activeconns to inactconns on any
 * state other than ESTABLISHED and sets its timeout from `tcp_timeouts`; ip_vs_conn.c
 * `ip_vs_conn_expire` → `ip_vs_unbind_dest` drops it from the counts when it lapses.
 */
import { available, type Balancer, type BalancerOptions, type ConnTable, type ConnectionEnd } from './types.ts'
import { KERNEL_IPVS_TIMEOUTS, type AlgorithmName, type Endpoint, type IpvsTimeouts } from '../model/kube-proxy.ts'

/** TIME_WAIT, where every connection closed by a FIN from each side ends: 2 min, not settable (tcp_timeouts). */
export const TCP_TIME_WAIT_MS = 120_000
/** CLOSE, where a reset connection's entry sits: 10 s (tcp_timeouts). */
export const TCP_CLOSE_MS = 10_000
/** CLOSE_WAIT, after the client's FIN and before the pod's: 60 s (tcp_timeouts). */
export const TCP_CLOSE_WAIT_MS = 60_000

/**
 * When the entry of a connection that ended with `end` at `closedAtMs` lapses, ms. Worked out from
 * `tcp_states` (INPUT = client → pod, OUTPUT = pod → client, both seen in NAT mode):
 * - a RST either way takes ESTABLISHED to CLOSE (10 s);
 * - the pod's FIN first: OUTPUT fin, ESTABLISHED → FIN_WAIT (tcpFinTimeout); then the client's FIN:
 *   INPUT fin, FIN_WAIT → TIME_WAIT (2 min). If the client's FIN comes more than tcpFinTimeout
 *   later, the entry has lapsed in FIN_WAIT by then;
 * - the client's FIN first: INPUT fin, ESTABLISHED → CLOSE_WAIT (60 s); then the pod's FIN:
 *   OUTPUT fin, CLOSE_WAIT → TIME_WAIT (2 min), or the entry lapsed in CLOSE_WAIT after 60 s.
 * So a normal close, whichever side starts it, leaves a TIME_WAIT entry for 2 min that
 * `ipvs.tcpFinTimeout` does not shorten (it sets FIN_WAIT only). The packets between the two
 * FINs, which restart the kernel's timer, are not seen: the gap is counted from the first FIN.
 */
export function entryExpiryMs(end: ConnectionEnd, closedAtMs: number, timeouts: Pick<IpvsTimeouts, 'tcpFinMs'> = KERNEL_IPVS_TIMEOUTS): number {
  if (end.how === 'request') return closedAtMs
  if (end.how === 'reset') return closedAtMs + TCP_CLOSE_MS
  const first = end.firstFin
  if (first !== undefined) {
    const halfOpenMs = first.side === 'pod' ? timeouts.tcpFinMs : TCP_CLOSE_WAIT_MS
    if (first.msBeforeClose > halfOpenMs) return closedAtMs - first.msBeforeClose + halfOpenMs
  }
  return closedAtMs + TCP_TIME_WAIT_MS
}

/** A binary min-heap of lapse times. */
function createHeap(): { push(x: number): void; popUntil(t: number): void; size(): number } {
  const h: number[] = []
  return {
    push(x) {
      h.push(x)
      for (let i = h.length - 1; i > 0; ) {
        const p = (i - 1) >> 1
        if ((h[p] as number) <= x) break
        h[i] = h[p] as number
        h[p] = x
        i = p
      }
    },
    popUntil(t) {
      while (h.length > 0 && (h[0] as number) <= t) {
        const last = h.pop() as number
        if (h.length === 0) break
        h[0] = last
        for (let i = 0; ; ) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < h.length && (h[l] as number) < (h[m] as number)) m = l
          if (r < h.length && (h[r] as number) < (h[m] as number)) m = r
          if (m === i) break
          ;[h[i], h[m]] = [h[m] as number, h[i] as number]
          i = m
        }
      }
    },
    size: () => h.length,
  }
}

/** Options for {@link createConnTable}. */
export interface ConnTableOptions {
  /** Clock, ms. @default () => 0 */
  now?: () => number
  /** @default KERNEL_IPVS_TIMEOUTS */
  timeouts?: Pick<IpvsTimeouts, 'tcpFinMs'>
}

/** A fresh, empty connection table. */
export function createConnTable(opts: ConnTableOptions = {}): ConnTable {
  const now = opts.now ?? (() => 0)
  const timeouts = opts.timeouts ?? KERNEL_IPVS_TIMEOUTS
  const active = new Map<string, number>()
  const inactive = new Map<string, ReturnType<typeof createHeap>>()
  const inactiveAt = (ep: Endpoint, t: number) => {
    const h = inactive.get(ep.name)
    if (h === undefined) return 0
    h.popUntil(t)
    return h.size()
  }
  return {
    active: (ep) => active.get(ep.name) ?? 0,
    inactive: (ep, atMs) => inactiveAt(ep, atMs ?? now()),
    overhead: (ep) => ((active.get(ep.name) ?? 0) << 8) + inactiveAt(ep, now()),
    open: (ep) => void active.set(ep.name, (active.get(ep.name) ?? 0) + 1),
    close(ep, end) {
      const c = active.get(ep.name) ?? 0
      if (c <= 0) return null // more closes than opens: nothing to move
      active.set(ep.name, c - 1)
      if (end === undefined || end.how === 'request') return null
      const t = now()
      const lapse = entryExpiryMs(end, t, timeouts)
      if (lapse <= t) return null
      let h = inactive.get(ep.name)
      if (h === undefined) inactive.set(ep.name, (h = createHeap()))
      h.push(lapse)
      return lapse
    },
  }
}

/** Chooses among the available endpoints (list order, weight > 0) given the entries; undefined when none. */
export type ConnChooser = (ready: readonly Endpoint[], conns: ConnTable) => Endpoint | undefined

/**
 * The shell every connection-counting scheduler shares: the available endpoints in list order,
 * the connection table, and `choose`. With its own table (no `opts.conns`) a pick, or an affinity
 * hit via `acquire`, opens an entry and `release` closes it; with a table the caller owns (the
 * node's IPVS service) the scheduler only reads it.
 */
export function createConnCountingBalancer(name: AlgorithmName, choose: ConnChooser, opts: Partial<BalancerOptions> = {}): Balancer {
  let ready: readonly Endpoint[] = []
  const own = opts.conns === undefined
  const conns = opts.conns ?? createConnTable({ now: opts.now, timeouts: opts.timeouts })
  return {
    name,
    pick() {
      const best = choose(ready, conns)
      if (best !== undefined && own) conns.open(best)
      return best
    },
    release(ep, end) {
      if (own) conns.close(ep, end)
    },
    acquire(ep) {
      if (own) conns.open(ep)
    },
    update(next) {
      ready = available(next)
    },
  }
}
