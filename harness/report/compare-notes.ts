/**
 * What differs between two runs besides their figures: the scenario, the machine, the versions,
 * the seed, and per variant pair the dataplane, proxy mode, balancer and load. Pure: returns
 * sentences for the comparison's notes (compare.ts).
 */
import { loadLabel } from './table.ts'
import type { RunResult, VariantResult } from '../model/results.ts'

const machineText = (r: RunResult) => `${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.platform}/${r.machine.arch}, ${Math.round(r.machine.totalMemoryBytes / 2 ** 30)} GiB`

/** Notes on run-level differences: scenario, machine, versions, seed, trials, interrupted runs. */
export function runNotes(a: RunResult, b: RunResult, labels: readonly [string, string]): string[] {
  const [la, lb] = labels
  const notes: string[] = []
  if (a.scenario.name !== b.scenario.name) {
    notes.push(`different scenarios: ${la} ran "${a.scenario.name}", ${lb} ran "${b.scenario.name}"; what changed may be the scenario, not the Service`)
  }
  const ma = machineText(a)
  const mb = machineText(b)
  if (ma !== mb) {
    notes.push(`different machines: ${la} ran on ${ma}, ${lb} on ${mb}; throughput and latency depend on the machine as much as on the Service, so compare runs from one machine (the normalized ratios to the calibration path, normalized.*, travel better)`)
  }
  const va = a.versions
  const vb = b.versions
  const versionDiffs = (['svcbench', 'node', 'autocannon', 'undici'] as const).filter((k) => va[k] !== vb[k]).map((k) => `${k} ${va[k]} → ${vb[k]}`)
  if (versionDiffs.length > 0) notes.push(`different versions: ${versionDiffs.join(', ')}`)
  if (a.seed !== b.seed) notes.push(`different seeds: ${a.seed} → ${b.seed}; seeded choices (random balancers, hashes, latency draws, random fault targets) differ`)
  const ta = a.trials ?? 1
  const tb = b.trials ?? 1
  if (ta !== tb) notes.push(`different trials per variant: ${ta} → ${tb}`)
  for (const [label, r] of [[la, a], [lb, b]] as const) {
    if (r.interrupted) notes.push(`${label} was interrupted: its figures are partial`)
  }
  return notes
}

/** What a variant ran as, field by field, for {@link pairNotes}. */
function setup(v: VariantResult): [string, string][] {
  return [
    ['dataplane', v.dataplane ?? 'proxy'],
    ['proxy mode', v.ipvsScheduler === null ? v.proxyMode : `${v.proxyMode} ${v.ipvsScheduler}`],
    ['balancer', v.balancer],
    ['balancing', v.balancing === 'connection' ? 'per connection (L4)' : 'per request (L7)'],
    ['externalTrafficPolicy', v.externalTrafficPolicy],
    ['sessionAffinity', v.sessionAffinity],
    ['load', loadLabel(v)],
    ['duration', `${v.durationSec} s`],
    ['faults', v.failover.map((f) => `${f.fault} ${f.target} at ${f.atSec} s`).join(', ') || 'none'],
  ]
}

/** Notes on a matched pair's configuration differences, e.g. `proxy mode iptables → ipvs rr`. */
export function pairNotes(va: VariantResult, vb: VariantResult, labels: readonly [string, string]): string[] {
  const sa = setup(va)
  const sb = new Map(setup(vb))
  const diffs = sa.filter(([k, x]) => sb.get(k) !== x).map(([k, x]) => `${k} ${x} → ${sb.get(k)}`)
  const notes = diffs.length === 0 ? [] : [`ran differently: ${diffs.join('; ')}`]
  for (const [label, v] of [[labels[0], va], [labels[1], vb]] as const) {
    if (v.interrupted) notes.push(`interrupted in ${label}: its figures cover what was measured`)
  }
  return notes
}
