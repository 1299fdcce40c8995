/**
 * CPU use of a variant's processes over the measured phase, and whether the load generator or a
 * proxy was saturated (then the figures may describe svcbench, not the Service). Pure.
 */
import type { CpuUsage } from '../util/cpu.ts'
import type { CpuSummary } from '../model/summaries.ts'

/** Above this share of one core a thread (a single-threaded process) is saturated. */
export const SATURATION_PCT = 90


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
