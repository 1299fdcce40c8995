/** The UDP scenarios of issue #18's checks, for either dataplane (test/integration/udp.test.ts, test/dataplane/kernel/udp.test.ts). */
import { expect } from 'vitest'
import type { UserScenario } from '../../harness/scenario/schema.ts'
import type { FailoverResult } from '../../harness/model/variant-parts.ts'

const RATE = 400
/** The first stage (the fault strikes in it), the pause (longer than the conntrack timeouts) and the last stage, s. */
// (the kill at 0.3 s, its detection within one 1 s probe period after it, and time to spare)
const FIRST_S = 1.6
const PAUSE_S = 1.3
const LAST_S = 0.4

/** The scenarios, and when the load pauses and resumes (s since the measured phase began). */
export function udpScenarios(dataplane: 'proxy' | 'kernel'): { perQuery: UserScenario; fixed: UserScenario; killed: UserScenario; restarted: UserScenario; resumeSec: number; pauseSec: number } {
  const base = {
    cluster: { nodes: 2, replicas: 4, endpointPropagationMs: 0, conntrack: { udpTimeout: '1s', udpStreamTimeout: '1s' } },
    service: { dataplane, protocol: 'UDP', proxyMode: 'iptables' },
  } as const
  const steady = { warmup: '200ms', duration: '1s', rate: RATE, clientIps: 8, requestTimeout: '1s' } as const
  const paused: NonNullable<UserScenario['load']> = {
    warmup: '200ms',
    stages: [{ duration: 0, target: RATE }, { duration: `${FIRST_S}s`, target: RATE }, { duration: 0, target: 0 }, { duration: `${PAUSE_S}s`, target: 0 }, { duration: 0, target: RATE }, { duration: `${LAST_S}s`, target: RATE }],
    // 32 resolvers: the kernel's picks are not seeded, and each pod is then all but sure to have some ((3/4)^32 ≈ 1e-4 that the killed one has none).
    clientIps: 32,
    requestTimeout: '1s',
    udpSourcePort: 'fixed',
  }
  return {
    perQuery: { name: 'udp-per-query', ...base, load: { ...steady, udpSourcePort: 'per-query' } },
    fixed: { name: 'udp-fixed', ...base, load: { ...steady, udpSourcePort: 'fixed' } },
    killed: {
      name: 'udp-killed',
      ...base,
      cluster: { ...base.cluster, pod: { readinessProbe: { periodSeconds: 1, failureThreshold: 1 } } },
      load: paused,
      faults: [{ at: '300ms', action: 'kill-pod', target: 'pod-3' }],
      variants: { none: { service: { udpConntrackCleanup: 'none' } }, 'kube-proxy': { service: { udpConntrackCleanup: 'kube-proxy' } } },
    },
    restarted: {
      name: 'udp-restarted',
      ...base,
      // The restarted container is not ready until probed (an endpoint update each way); without
      // cleanup the old entries outlive it and point at the same address again.
      cluster: { ...base.cluster, pod: { readinessProbe: { periodSeconds: 10, failureThreshold: 3 } } },
      service: { ...base.service, udpConntrackCleanup: 'none' },
      load: { ...steady, duration: '1.2s', clientIps: 32, udpSourcePort: 'fixed' },
      faults: [{ at: '200ms', action: 'kill-pod', target: 'pod-3' }, { at: '500ms', action: 'recover-pod', target: 'pod-3' }],
    },
    resumeSec: FIRST_S + PAUSE_S,
    pauseSec: FIRST_S,
  }
}

/**
 * The killed pod's checks (issue #18), for one fault of the variant without cleanup (`none`) and
 * of the one with kube-proxy's (`cleanup`): both detect it and every stuck flow moves; without
 * cleanup the clients' own queries keep the stale entries alive past the endpoint update, to the
 * end of the first stage, and the flows move only after the pause (`pauseSec` to `resumeSec`),
 * once the entries expired; with it the entries go with the endpoint, and the flows move then.
 */
export function expectStaleEntriesCleaned(none: FailoverResult, cleanup: FailoverResult, timing: { pauseSec: number; resumeSec: number }): void {
  for (const f of [none, cleanup]) {
    expect(f.detectedAtSec).not.toBeNull()
    expect(f.udp!.flowsStuck).toBeGreaterThan(0)
    expect(f.udp!.flowsMoved).toBe(f.udp!.flowsStuck)
  }
  expect(none.udp!.lastLostSec!).toBeGreaterThan(none.detectedAtSec!)
  expect(none.udp!.lastLostSec!).toBeGreaterThan(timing.pauseSec - 0.1)
  expect(none.udp!.lastMovedAtSec!).toBeGreaterThanOrEqual(timing.resumeSec)
  expect(cleanup.udp!.lastLostSec!).toBeLessThan(cleanup.detectedAtSec! + 0.2)
  expect(cleanup.udp!.lastMovedAtSec!).toBeLessThan(cleanup.detectedAtSec! + 0.3)
}
