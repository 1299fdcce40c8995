import type { Balancer, BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import { pickShortestExpectedDelay } from './shortest-expected-delay.ts'

/** Options for {@link createNeverQueue}. */
export type NeverQueueOptions = Partial<BalancerOptions>

/**
 * IPVS `nq`, Never Queue (ip_vs_nq.c): the first idle endpoint (no active connections) in list
 * order if there is one, otherwise Shortest Expected Delay.
 */
export function createNeverQueue(_opts: NeverQueueOptions = {}): Balancer {
  return createConnCountingBalancer('never-queue', (ready, conns) => ready.find((ep) => conns.get(ep) === 0) ?? pickShortestExpectedDelay(ready, conns))
}
