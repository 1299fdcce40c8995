/**
 * Child entry of bench:reject, run inside its client namespace: connect `count` times to
 * host:port, `parallel` at once, each from the next of `sources` (round robin), and count each
 * outcome by when it came (refused at once, or after about 1, 3 or 7 s: the SYN's
 * retransmissions), or the timeout.
 */
import net from 'node:net'
import { serveIpc } from '../process/ipc.ts'

/** One burst of connects. */
export interface BurstPlan {
  host: string
  port: number
  count: number
  parallel: number
  timeoutMs: number
  /** Source addresses, used in turn. */
  sources: string[]
}

/** When an outcome came, as bench:reject buckets it. */
function bucket(ms: number): string {
  return ms < 500 ? 'at once' : ms < 2000 ? 'after ~1 s' : ms < 5000 ? 'after ~3 s' : ms < 9000 ? 'after ~7 s' : 'later'
}

/** Outcome (`refused at once`, `timeout`, …) → count. */
function burst(plan: BurstPlan): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  let started = 0
  let done = 0
  return new Promise((resolve) => {
    const one = () => {
      if (started >= plan.count) return
      const t0 = Date.now()
      const s = net.connect({ host: plan.host, port: plan.port, localAddress: plan.sources[started++ % plan.sources.length] })
      let settled = false
      const settle = (what: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        s.destroy()
        const key = what === 'timeout' ? 'timed out' : `${what} ${bucket(Date.now() - t0)}`
        out[key] = (out[key] ?? 0) + 1
        if (++done === plan.count) resolve(out)
        else one()
      }
      const timer = setTimeout(() => settle('timeout'), plan.timeoutMs)
      s.once('connect', () => settle('connected'))
      s.once('error', (e: NodeJS.ErrnoException) => settle(e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? 'error')))
    }
    for (let i = 0; i < Math.min(plan.parallel, plan.count); i++) one()
  })
}

serveIpc({ burst: (p) => burst(p as BurstPlan) })
process.send?.({ type: 'ready' })
