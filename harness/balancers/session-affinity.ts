import type { Balancer } from './types.ts'
import { weightOf } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link withSessionAffinity}. */
export interface SessionAffinityOptions {
  /** sessionAffinityConfig.clientIP.timeoutSeconds. @default 10800 */
  timeoutSeconds: number
  /** Clock in ms (injected: balancers are pure). */
  now: () => number
}

/**
 * `sessionAffinity: ClientIP` around a balancer of the iptables, nftables or userspace mode, as
 * kube-proxy's iptables rules do it
 * (`-m recent --name <sep> --rcheck --seconds T --reap`, then `--set` in the endpoint chain): a
 * client address whose entry was refreshed within the last T seconds goes back to its endpoint
 * (if that endpoint is still available), and every new connection refreshes the entry, so the
 * timer restarts on each one. After T seconds without a connection the next connection is
 * balanced afresh. Each node proxy has its own table, as each node's kernel has its own. (The
 * nftables rules keep the same kind of per-client timestamp; the userspace proxy's affinity map
 * too, refreshed on each connection: pkg/proxy/userspace/roundrobin.go `NextEndpoint`. The ipvs
 * mode uses persistence instead: ipvs-persistence.ts.)
 */
export function withSessionAffinity(inner: Balancer, opts: SessionAffinityOptions): Balancer {
  const timeoutMs = opts.timeoutSeconds * 1000
  const table = new Map<string, { ep: Endpoint; lastMs: number }>()
  let names = new Set<string>()
  return {
    name: inner.name,
    retryOnConnectFailure: inner.retryOnConnectFailure,
    pick(ctx) {
      const now = opts.now()
      const entry = table.get(ctx.clientIp)
      // A dial after a failed one is balanced afresh (the userspace proxy's sessionAffinityReset).
      const fresh = (ctx.attempt ?? 0) > 0
      if (!fresh && entry !== undefined && now - entry.lastMs <= timeoutMs && names.has(entry.ep.name)) {
        entry.lastMs = now
        inner.acquire?.(entry.ep) // connection-counting schedulers count affinity connections too
        return entry.ep
      }
      const ep = inner.pick(ctx)
      if (ep === undefined) {
        table.delete(ctx.clientIp)
        return undefined
      }
      table.set(ctx.clientIp, { ep, lastMs: now })
      return ep
    },
    release: (ep) => inner.release(ep),
    acquire: (ep) => inner.acquire?.(ep),
    update(next) {
      inner.update(next)
      names = new Set(next.filter((ep) => weightOf(ep) > 0).map((ep) => ep.name))
      // Reap entries whose endpoint is gone (the kernel reaps on the next check; same effect).
      for (const [ip, e] of table) if (!names.has(e.ep.name)) table.delete(ip)
    },
  }
}
