/**
 * Carries out one variant's faults on its running cluster through their definitions, keeping the
 * Deployment's pod slots, and keeps each fault's outcome: a fault that could not be carried out,
 * failed part-way, or had not finished when the measured phase ended is reported as such, never
 * as applied.
 */
import type { ResolvedFault, ResolvedVariant } from '../model/scenario.ts'
import { FAULTS } from './registry.ts'
import type { FaultCluster, FaultEndpoints, FaultTarget } from './types.ts'
import type { FailoverResult } from '../model/variant-parts.ts'

/** Fires faults and says how each one went. */
export interface FaultDriver {
  /** Carry out a fault; resolves with when it took effect (Date.now()), rejects when it could not be. */
  fire(fault: ResolvedFault): Promise<number>
  /**
   * Why a fired fault could not be carried out, failed part-way, or has not finished yet; null
   * when it was carried out in full. Asked at the end of the measured phase.
   */
  failed(fault: ResolvedFault): string | null
}

/** The cluster as the driver needs it: the fault operations and which pod slots start free. */
export interface FaultDriverCluster extends FaultCluster {
  topology: { pods: readonly { name: string; spare: boolean }[] }
}

/** How one fired fault is going. */
interface Outcome {
  /** fire() has not settled yet. */
  firing: boolean
  /** The first failure, as the reason to report. */
  error: string | undefined
  /** Background work still going, by id: what it is. */
  pending: Map<number, string>
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** A driver for one variant's cluster. */
export function createFaultDriver(v: ResolvedVariant, cluster: FaultDriverCluster, controller: FaultEndpoints): FaultDriver {
  // The Deployment's pods (slots with a running pod) and the free slots, shared by every fault.
  const running = new Set(cluster.topology.pods.filter((p) => !p.spare).map((p) => p.name))
  const free = cluster.topology.pods.filter((p) => p.spare).map((p) => p.name)
  const deletion = { preStopMs: v.cluster.preStopSleepSeconds * 1000, graceMs: v.cluster.terminationGracePeriodSeconds * 1000 }
  const nodeMonitorGracePeriodMs = v.cluster.nodeMonitorGracePeriodSeconds * 1000
  const outcomes = new Map<ResolvedFault, Outcome>()
  let nextWork = 0

  return {
    async fire(fault) {
      const o: Outcome = { firing: true, error: undefined, pending: new Map() }
      outcomes.set(fault, o)
      const target: FaultTarget = {
        cluster,
        controller,
        running,
        free,
        deletion,
        nodeMonitorGracePeriodMs,
        background(work, what) {
          const id = nextWork++
          o.pending.set(id, what)
          work.then(
            () => o.pending.delete(id),
            (e: unknown) => {
              o.pending.delete(id)
              o.error ??= `${what}: ${reason(e)}`
            },
          )
        },
      }
      try {
        return await FAULTS[fault.action].fire(fault, target)
      } catch (e) {
        o.error ??= `could not be carried out: ${reason(e)}`
        throw e
      } finally {
        o.firing = false
      }
    },
    failed(fault) {
      const o = outcomes.get(fault)
      if (o === undefined) return 'never fired'
      if (o.error !== undefined) return o.error
      if (o.firing) return 'not carried out by the end of the measured phase'
      if (o.pending.size > 0) return `not finished by the end of the measured phase (${[...new Set(o.pending.values())].join('; ')})`
      return null
    },
  }
}

/** The warnings for faults that did not happen as written (`failover[k].failed` set). */
export function failedFaultWarnings(failover: readonly FailoverResult[]): string[] {
  return failover
    .filter((f) => f.failed !== null)
    .map((f) => `fault ${f.fault} ${f.target} at ${f.atSec}s did not happen as written: ${f.failed}; its failover figures describe what did happen`)
}
