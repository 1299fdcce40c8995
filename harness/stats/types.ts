/**
 * What the variant summarizer (summary.ts) and its parts read: everything measured in one run of
 * one variant. Types only.
 */
import type { ResolvedVariant, ResolvedFault, ResolvedPodSpec } from '../model/scenario.ts'
import type { LoadResult, PodStats, ProxyStats, TimedEndpointEvent, LbStats } from '../model/measurements.ts'
import type { VariantResult } from '../model/results.ts'
import type { CpuUsage } from '../util/cpu.ts'

/** A fault as it was applied, ms since the epoch. */
export interface AppliedFault {
  fault: ResolvedFault
  atMs: number
  /** Why the fault could not be carried out (or finished by the end of the measured phase); null or absent when it was. */
  failed?: string | null
}

/** Inputs of summarizeVariant. */
export interface VariantMeasurements {
  variant: ResolvedVariant
  /** `clients`: the in-cluster client pods (load.from 'cluster'), by address. @default [] */
  topology: { nodes: { name: string; address: string }[]; pods: { name: string; node: string; address: string; port: number; spec: ResolvedPodSpec }[]; clients?: { node: string; address: string; pod: string | null }[] }
  /** Hash seed the proxies used (Maglev), for the prediction. */
  hashSeed: number
  /** Faults as applied (ms since the epoch). @default [] */
  faults?: AppliedFault[]
  /** Endpoints-controller events (ms since the epoch). @default [] */
  events?: TimedEndpointEvent[]
  /** Start of the measured phase (Date.now()), to place the proxies' timestamps. @default 0 */
  epochMs?: number
  /** The front load balancer's counts and health events (Date.now() times), with the epoch. */
  lb?: LbStats & { epochMs: number }
  load: LoadResult
  pods: PodStats[]
  proxies: ProxyStats[]
  /** CPU use of the run's processes over the measured phase, and the machine's cores. @default null */
  cpu?: { usage: CpuUsage; cores: number } | null
  /** The calibration path measured for this trial (normalized figures are relative to it). @default null */
  calibration?: VariantResult['calibration']
  /** What the harness could not collect or do as asked (lost counts, another relay than asked). @default [] */
  warnings?: string[]
}
