import type { Balancer, BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import { pickShortestExpectedDelay } from './shortest-expected-delay.ts'

/** Options for {@link createNeverQueue}. */
export type NeverQueueOptions = Partial<BalancerOptions>

/**
 * IPVS `nq`, Never Queue (ip_vs_nq.c `ip_vs_nq_schedule`): the first idle endpoint (no active
 * connections; inactive ones do not count) in list order if there is one, otherwise Shortest
 * Expected Delay.
 */
export function createNeverQueue(opts: NeverQueueOptions = {}): Balancer {
  return createConnCountingBalancer('never-queue', (ready, conns) => ready.find((ep) => conns.active(ep) === 0) ?? pickShortestExpectedDelay(ready, conns), opts)
}
