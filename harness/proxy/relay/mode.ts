/**
 * Which relay moves an L4 proxy's bytes: SVCBENCH_L4_RELAY, the default (the fastest one here),
 * and the next one down where the one asked for is not available.
 */
import { nativeRelay, nativeRelayProblem } from './native.ts'
import { rawAvailable } from './raw.ts'
import type { RelayName } from '../../model/variant-parts.ts'

/**
 * How bytes are moved once a connection is established. `native` (the default where the addon
 * built, see native.ts): a thread of the proxy relays the pair's descriptors with no
 * JavaScript per message. `raw`: each socket reads into its own fixed buffer and each read goes
 * straight to the other socket's TCP handle. `onread`: the same buffers, written through the
 * other socket's Writable. `data`: the stream 'data' events. Counting requests in the byte stream
 * (command pods) needs a JavaScript relay: `raw` there. SVCBENCH_L4_RELAY picks one (A/B runs of
 * npm run bench:proxy).
 */
export type RelayMode = Exclude<RelayName, 'l7'>

/** Every relay mode, fastest first. */
export const RELAY_MODES: readonly RelayMode[] = ['native', 'raw', 'onread', 'data']

/** The relay mode an L4 proxy runs when not told: SVCBENCH_L4_RELAY, else the fastest available. */
export function defaultRelay(): RelayMode {
  return availableRelay(undefined, false).mode
}

/** What is wrong with SVCBENCH_L4_RELAY (for the CLI to refuse before starting anything), or null. */
export function relayEnvProblem(): string | null {
  const asked = process.env.SVCBENCH_L4_RELAY
  if (asked === undefined || asked === '') return null
  if (!RELAY_MODES.includes(asked as RelayMode)) return `got ${JSON.stringify(asked)}; expected one of ${RELAY_MODES.join(', ')} (how the connection proxy moves bytes)`
  if (asked === 'native' && nativeRelay() === null) return `got "native", but ${nativeRelayProblem()}`
  return null
}

/** The relay a proxy runs, and why it is not the one asked for. */
export interface RelayChoice {
  mode: RelayMode
  /**
   * Why `mode` is not the relay asked for (see {@link availableRelay}), as a clause (`instead of native: the native relay … failed to load: …`); null when it is that one.
   */
  fallback: string | null
}

/** A valid SVCBENCH_L4_RELAY, else undefined (the CLI refuses an invalid one, see {@link relayEnvProblem}). */
function envRelay(): RelayMode | undefined {
  const asked = process.env.SVCBENCH_L4_RELAY as RelayMode | undefined
  return asked !== undefined && RELAY_MODES.includes(asked) ? asked : undefined
}

/**
 * `asked` (else SVCBENCH_L4_RELAY, else native; raw where requests are counted), or the next one
 * down where it is not available or cannot count requests, and why.
 */
export function availableRelay(asked: RelayMode | undefined, countRequests: boolean): RelayChoice {
  // Counting requests (command pods): a JavaScript relay, raw unless another is asked for.
  const wanted = asked ?? envRelay() ?? (countRequests ? 'raw' : 'native')
  let mode = wanted
  let why: string | null = null
  if (mode === 'native' && countRequests) {
    mode = 'raw'
    why = 'counting the requests of command pods needs a JavaScript relay'
  } else if (mode === 'native' && nativeRelay() === null) {
    mode = 'raw'
    why = nativeRelayProblem()
  }
  if (mode === 'raw' && !rawAvailable()) {
    mode = 'onread'
    why = [why, "the raw relay needs Node's internal stream binding (process.binding('stream_wrap')), which this Node does not offer"].filter((x) => x !== null).join('; ')
  }
  return { mode, fallback: why === null ? null : `instead of ${wanted}: ${why}` }
}
