/**
 * Checks every executor makes before it sends anything: svcbench sends traffic only on this
 * machine (DESIGN.md: 127.0.0.0/8 and ::1), from source addresses on this machine.
 */
import { isLoopback } from '../util/ip.ts'
import { HarnessError } from '../errors.ts'
import type { LoadPlan, LoadTarget } from './types.ts'

/**
 * The plan's first target, once every target and source address is known to be a loopback
 * address. Throws HarnessError NOT_LOOPBACK (or LOAD_FAILED without a target) otherwise.
 */
export function checkPlan(plan: LoadPlan): LoadTarget {
  for (const t of plan.targets) {
    if (!isLoopback(t.host)) {
      throw new HarnessError('NOT_LOOPBACK', `refusing to send traffic to ${t.host}: svcbench only targets 127.0.0.0/8 and ::1`)
    }
  }
  for (const a of plan.clientAddresses) {
    if (!isLoopback(a)) throw new HarnessError('NOT_LOOPBACK', `refusing source address ${a}: svcbench only uses 127.0.0.0/8 and ::1`)
  }
  const first = plan.targets[0]
  if (first === undefined) throw new HarnessError('LOAD_FAILED', 'no load target')
  return first
}
