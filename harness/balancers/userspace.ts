import { available, type Balancer, type BalancerOptions } from './types.ts'
import { sameList } from './round-robin.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createUserspace}. */
export type UserspaceOptions = Partial<BalancerOptions>

/**
 * The userspace proxy's dials for one client connection, each with its timeout, ms: at most four
 * (pkg/proxy/userspace/proxysocket.go `EndpointDialTimeouts`, `TryConnectEndpoints`, in the git
 * history before v1.26). Each dial takes the next endpoint in the rotation; when all fail the
 * client connection is closed.
 */
export const USERSPACE_DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000]

/**
 * kube-proxy `userspace` mode (removed in 1.26): round robin in a userspace proxy
 * (pkg/proxy/userspace/roundrobin.go `NextEndpoint`: the next endpoint, index + 1 mod n), which
 * sees a failed connect and dials again ({@link USERSPACE_DIAL_TIMEOUTS_MS}); iptables and IPVS
 * do not. When the endpoints change the index goes back to 0 (`OnEndpointsUpdate`).
 */
export function createUserspace(_opts: UserspaceOptions = {}): Balancer {
  let list: readonly Endpoint[] = []
  let index = 0
  return {
    name: 'userspace',
    retryOnConnectFailure: true,
    pick() {
      if (list.length === 0) return undefined
      const ep = list[index % list.length]
      index = (index + 1) % list.length
      return ep
    },
    release() {},
    update(next) {
      const ready = available(next)
      if (sameList(list, ready)) return
      list = ready
      index = 0
    },
  }
}
