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
import type { LoadPlan, LoadTarget } from './types.ts'

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
