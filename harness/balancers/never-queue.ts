import { available, type Balancer, type BalancerOptions, type Endpoint } from './types.ts'
import { createConnCount } from './conn-count.ts'
import { pickShortestExpectedDelay } from './shortest-expected-delay.ts'

/** Options for {@link createNeverQueue}. */
export type NeverQueueOptions = Partial<BalancerOptions>

/**
 * IPVS `nq`, Never Queue (ip_vs_nq.c): the first idle endpoint (no active connections) in list
 * order if there is one, otherwise Shortest Expected Delay.
 */
export function createNeverQueue(_opts: NeverQueueOptions = {}): Balancer {
  let ready: readonly Endpoint[] = []
  const conns = createConnCount()
  return {
    name: 'never-queue',
    pick() {
      const best = ready.find((ep) => conns.get(ep) === 0) ?? pickShortestExpectedDelay(ready, conns)
      if (best !== undefined) conns.acquire(best)
      return best
    },
    release: (ep) => conns.release(ep),
    acquire: (ep) => conns.acquire(ep),
    update(next) {
      ready = available(next)
    },
  }
}
