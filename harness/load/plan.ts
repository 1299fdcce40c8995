/**
 * Checks every executor makes before it sends anything: svcbench sends traffic only on this
 * machine (DESIGN.md: 127.0.0.0/8 and ::1), from source addresses on this machine, or inside the
 * network namespaces a run created. A load inside the kernel dataplane's client namespace (or a
 * namespace of its in-cluster client pods) may use 198.18.0.0/15: that namespace's only link leads
 * to the run's fabric (or to its node), whose only links lead to the run's nodes and on to their
 * pods, so every address it reaches is one of the run's own.
 */
import { isBenchmarkAddress, isLoopback } from '../util/ip.ts'
import { inNamedNetns } from '../util/netns.ts'
import { HarnessError } from '../errors.ts'
import { RUN_NETNS_PREFIX } from '../model/wire.ts'
import { deriveSeed } from '../util/rng.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { LoadExecutorName, LoadPlan, LoadTarget, OpenPlan, UdpPlan } from './types.ts'

/** Whether this process runs inside `netns` and that is a namespace svcbench created. */
function insideRunNetns(netns: string | undefined): boolean {
  return netns !== undefined && netns.startsWith(RUN_NETNS_PREFIX) && inNamedNetns(netns)
}

/**
 * The plan's first target, once every target and source address is known to be a loopback
 * address (or, inside the run's namespace `plan.runNetns`, one of the run's 198.18.0.0/15
 * addresses). Throws HarnessError NOT_LOOPBACK (or LOAD_FAILED without a target) otherwise.
 */
export function checkPlan(plan: LoadPlan): LoadTarget {
  const inRun = insideRunNetns(plan.runNetns)
  const allowed = (a: string) => isLoopback(a) || (inRun && isBenchmarkAddress(a))
  const only = inRun ? `127.0.0.0/8, ::1 and the run's own 198.18.0.0/15 (inside ${plan.runNetns})` : '127.0.0.0/8 and ::1'
  for (const t of plan.targets) {
    if (!allowed(t.host)) {
      throw new HarnessError('NOT_LOOPBACK', `refusing to send traffic to ${t.host}: svcbench only targets ${only}`)
    }
  }
  for (const a of plan.clientAddresses) {
    if (!allowed(a)) throw new HarnessError('NOT_LOOPBACK', `refusing source address ${a}: svcbench only uses ${only}`)
  }
  const first = plan.targets[0]
  if (first === undefined) throw new HarnessError('LOAD_FAILED', 'no load target')
  return first
}

/** The executor a variant's load model runs on. */
export function executorFor(v: ResolvedVariant): LoadExecutorName {
  if (v.service.protocol === 'UDP') return 'udp'
  return v.load.model === 'open' ? 'open' : 'closed'
}

/** A UDP Service's queries (undefined for TCP). */
export function udpPlanFor(v: ResolvedVariant): UdpPlan | undefined {
  return v.service.protocol === 'UDP' ? { sourcePort: v.load.udpSourcePort, queryBytes: v.load.udpQueryBytes } : undefined
}

/**
 * How many distinct client addresses the variant's load uses: one per connection (as many as
 * can be open at once), except that the open model without keep-alive cycles them per request.
 */
export function clientAddressCount(v: ResolvedVariant): number {
  // A UDP load's clients are its addresses (resolvers, each with its socket or sockets).
  if (v.service.protocol === 'UDP') return v.load.clientIps
  if (v.load.model === 'closed') return Math.min(v.load.clientIps, v.load.connections)
  return v.load.keepAlive ? Math.min(v.load.clientIps, v.load.maxConnections) : v.load.clientIps
}

/** The open model's rate during the warm-up: the first rate the scenario names (load.rate, or the first stage's target). */
export function warmupRps(load: Pick<ResolvedVariant['load'], 'startRps' | 'stages'>): number {
  return load.startRps > 0 ? load.startRps : (load.stages[0]?.targetRps ?? 0)
}

/** The open model's part of a variant's plan (undefined under the closed model); `seed` is the run's. */
export function openPlanFor(v: ResolvedVariant, seed: number): OpenPlan | undefined {
  if (v.load.model !== 'open') return undefined
  const { startRps, stages, arrival, maxConnections } = v.load
  return { startRps, stages, arrival, maxConnections, warmupRps: warmupRps(v.load), seed: deriveSeed(seed, `${v.name}/arrivals`) }
}
