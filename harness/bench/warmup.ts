/**
 * npm run bench:warmup — how cold the first second of the measured phase is, with and without a
 * warm-up on the same connections. Prints ratios of the first second's req/s to the rest's;
 * compare within one run only (shared machines are noisy).
 *
 *   npm run bench:warmup [-- --record]
 *
 * Writes reports/bench/warmup-<time>.json (and docs/measurements/warmup-<date>.json with --record).
 */
import { resolveScenario } from '../scenario/resolve.ts'
import { runScenario } from '../runner.ts'
import { writeBenchJson } from './output.ts'

const result = await runScenario(
  resolveScenario({
    name: 'bench-warmup',
    cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } },
    service: { balancer: 'round-robin', externalTrafficPolicy: 'Local' },
    load: { duration: '4s', connections: 64, clientIps: 64 },
    variants: { 'no-warmup': { load: { warmup: 0 } }, 'warmup-2s': { load: { warmup: '2s' } } },
  }),
)
const output: string[] = []
const variants = result.variants.map((v) => {
  const [first, ...rest] = v.timeline.filter((t) => t.tSec < Math.floor(v.durationSec))
  const steady = rest.reduce((a, t) => a + t.rps, 0) / Math.max(1, rest.length)
  const ratio = (first?.rps ?? 0) / steady
  const line = `${v.name.padEnd(10)} first second ${Math.round(first?.rps ?? 0)} req/s, later seconds ${Math.round(steady)} req/s, ratio ${ratio.toFixed(2)}`
  output.push(line)
  process.stdout.write(`${line}\n`)
  return { name: v.name, firstSecondRps: first?.rps ?? 0, laterSecondsRps: steady, ratio }
})
writeBenchJson('warmup', { output, variants })
