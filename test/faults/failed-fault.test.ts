/**
 * On real processes: a fault that does not finish within the measured phase ends up in the
 * results as failed, with why, in the variant's warnings and in the failover table, not as a
 * fault that was carried out.
 */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { runScenario } from '../../harness/runner.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import { comparisonTable } from '../../harness/report/table.ts'

describe('a rolling update whose new pods never become ready before the end', () => {
  it('is failed with the reason, warned about and marked in the table', async () => {
    const result = await runScenario(
      resolveScenario({
        name: 'unfinished',
        // A new pod is first probed after initialDelaySeconds: long after this run ends.
        cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0, readinessProbe: { periodSeconds: 1, initialDelaySeconds: 30 } }, endpointPropagationMs: 50 },
        load: { duration: '1s', warmup: 0, connections: 4, clientIps: 4 },
        faults: [
          { at: '200ms', action: 'kill-pod', target: 'pod-1' },
          { at: '300ms', action: 'rolling-update', target: 'all' },
        ],
      }),
    )
    expect(liveChildCount()).toBe(0)
    const [v] = result.variants
    expect(v!.failover.map((f) => [f.fault, f.failed])).toEqual([
      ['kill-pod', null],
      ['rolling-update', 'not finished by the end of the measured phase (rolling update, waiting for new pods to be ready)'],
    ])
    expect(v!.warnings).toEqual([expect.stringMatching(/^fault rolling-update all at 0\.\d+s did not happen as written: not finished by the end of the measured phase/)])
    const table = comparisonTable(result)
    expect(table).toMatch(/rolling-update \(failed\)/)
    expect(table).not.toMatch(/kill-pod pod-1 \(failed\)/)
    expect(table).toMatch(/! default: rolling-update all at 0\.\d+s failed: not finished by the end of the measured phase/)
  }, 20_000)
})
