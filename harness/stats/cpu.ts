/**
 * CPU use of a variant's processes over the measured phase, and whether the load generator or a
 * proxy was saturated (then the figures may describe svcbench, not the Service). Pure.
 */
import type { CpuUsage } from '../util/cpu.ts'

/** Above this share of one core a thread (a single-threaded process) is saturated. */
export const SATURATION_PCT = 90

/** What results.json carries as `variants[i].cpu`; percent of one core unless said otherwise. */
export interface CpuSummary {
  /** The svcbench process: autocannon, the endpoints controller, the fault driver. */
  loadGeneratorPct: number
  /** Each node's kube-proxy process (its threads together: it may exceed 100). */
  proxies: Record<string, number>
  /**
   * Each node proxy's busiest thread (Node's main thread, or the native relay's), the figure
   * saturation is judged on; absent where threads were not sampled.
   */
  proxyBusiestThread?: Record<string, number>
  /** The front load balancer, or null. */
  loadBalancerPct: number | null
  /** All pod processes together, and the busiest one. */
  pods: { totalPct: number; maxPct: number; maxPod: string | null }
  /** Busy share of all cores, percent (100 = every core busy); null without /proc/stat. */
  machineBusyPct: number | null
  /**
   * CPU the machine spent on anything but this run's processes (other programs, and kernel
   * network work not charged to a process), percent of one core; null without /proc/stat.
   */
  otherPct: number | null
  cores: number
  /** Processes above SATURATION_PCT, e.g. `load generator 97%`, `proxy node-a 93%`. */
  saturated: string[]
}

const r1 = (x: number) => Math.round(x * 10) / 10

/** Summarize a sampler's window. */
export function summarizeCpu(u: CpuUsage, cores: number): CpuSummary {
  const of = (role: string) => u.byProcess.filter((p) => p.role === role)
  const gen = of('load-generator')[0]?.pct ?? 0
  const proxies = Object.fromEntries(of('proxy').map((p) => [p.name, p.pct]))
  const threaded = of('proxy').filter((p) => p.busiestThreadPct !== undefined)
  const proxyBusiestThread = threaded.length === 0 ? undefined : Object.fromEntries(threaded.map((p) => [p.name, p.busiestThreadPct as number]))
  const lbRow = of('load-balancer')[0]
  const lb = lbRow?.pct ?? null
  const pods = of('pod')
  const busiestPod = pods.reduce<(typeof pods)[number] | undefined>((a, p) => (a === undefined || p.pct > a.pct ? p : a), undefined)
  // Saturated by the busiest thread where threads were sampled, else by the process.
  const over = (label: string, p: { pct: number; busiestThreadPct?: number }) =>
    (p.busiestThreadPct ?? p.pct) > SATURATION_PCT ? [`${label} ${r1(p.pct)}%${p.busiestThreadPct === undefined ? '' : ` (busiest thread ${r1(p.busiestThreadPct)}%)`}`] : []
  const saturated = [
    ...over('load generator', { pct: gen }),
    ...of('proxy').flatMap((p) => over(`proxy ${p.name}`, p)),
    ...(lbRow === undefined ? [] : over('load balancer', lbRow)),
  ]
  return {
    loadGeneratorPct: r1(gen),
    proxies,
    ...(proxyBusiestThread === undefined ? {} : { proxyBusiestThread }),
    loadBalancerPct: lb,
    pods: { totalPct: r1(pods.reduce((s, p) => s + p.pct, 0)), maxPct: busiestPod?.pct ?? 0, maxPod: busiestPod?.name ?? null },
    machineBusyPct: u.machineBusyPct,
    otherPct: u.machineBusyPct === null ? null : r1(Math.max(0, u.machineBusyPct * cores - u.byProcess.reduce((a, p) => a + p.pct, 0))),
    cores,
    saturated,
  }
}
