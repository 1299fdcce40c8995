/**
 * Which load model a variant runs (docs/load-models.md): the closed model (load.connections
 * clients, one request in flight each) unless load.rate or load.stages give an arrival schedule
 * (the open model). Resolves the schedule's fields and checks that they fit together.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import { parseDurationMs } from '../util/duration.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

/** The load-model part of ResolvedVariant['load']. */
export type ResolvedLoadModel = Pick<ResolvedVariant['load'], 'model' | 'startRps' | 'stages' | 'arrival' | 'maxConnections'>

/** The open-model fields that mean nothing without load.rate or load.stages. */
const OPEN_ONLY = ['arrival', 'maxConnections'] as const

/**
 * The variant's load model from its (schema-checked) `load` object; issues go to `issues` with
 * paths made by `p`. `durationMs` is load.duration when given: with stages and no duration, the
 * measured phase is the stages' total (returned as `durationMs`).
 */
export function resolveLoadModel(load: Obj, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedLoadModel & { stagesMs: number | null } {
  const rate = load.rate as number | undefined
  const rawStages = load.stages as { duration: unknown; target: number }[] | undefined
  if (rate !== undefined && rawStages !== undefined) {
    issues.push({ path: p('load.stages'), message: `got both load.rate (${rate}) and load.stages; expected one of them: rate for a constant rate, stages for a ramp` })
  }
  const open = rate !== undefined || rawStages !== undefined
  if (!open) {
    for (const k of OPEN_ONLY) {
      if (load[k] !== undefined) issues.push({ path: p(`load.${k}`), message: `applies to the open model only; set load.rate or load.stages (or leave load.${k} out)` })
    }
  }
  const stages = (rawStages ?? []).map((s) => ({ durationMs: parseDurationMs(s.duration) ?? 0, targetRps: s.target }))
  const stagesMs = rawStages === undefined ? null : stages.reduce((a, s) => a + s.durationMs, 0)
  if (stagesMs === 0) issues.push({ path: p('load.stages'), message: 'the stages last 0ms in all; expected at least one stage with a duration' })
  return {
    model: open ? 'open' : 'closed',
    startRps: rate ?? 0,
    stages: rate !== undefined ? [] : stages,
    arrival: (load.arrival as 'constant' | 'poisson' | undefined) ?? D.DEFAULT_ARRIVAL,
    maxConnections: (load.maxConnections as number | undefined) ?? D.DEFAULT_MAX_CONNECTIONS,
    stagesMs,
  }
}
