/**
 * Which relay moves an L4 proxy's bytes: SVCBENCH_L4_RELAY, the default (the fastest one here),
 * and the next one down where the one asked for is not available.
 */
import { nativeRelay } from './native.ts'
import { rawAvailable } from './raw.ts'

/**
 * How bytes are moved once a connection is established. `native` (the default where the addon
 * built, see native.ts): a thread of the proxy relays the pair's descriptors with no
 * JavaScript per message. `raw`: each socket reads into its own fixed buffer and each read goes
 * straight to the other socket's TCP handle. `onread`: the same buffers, written through the
 * other socket's Writable. `data`: the stream 'data' events. Counting requests in the byte stream
 * (command pods) needs a JavaScript relay: `raw` there. SVCBENCH_L4_RELAY picks one (A/B runs of
 * npm run bench:proxy).
 */
export type RelayMode = 'native' | 'raw' | 'onread' | 'data'

/** Every relay mode, fastest first. */
export const RELAY_MODES: readonly RelayMode[] = ['native', 'raw', 'onread', 'data']

/** The relay mode SVCBENCH_L4_RELAY asks for, else the fastest available. */
export function defaultRelay(): RelayMode {
  const asked = process.env.SVCBENCH_L4_RELAY as RelayMode | undefined
  if (asked !== undefined && RELAY_MODES.includes(asked) && asked !== 'native') return asked
  return nativeRelay() !== null ? 'native' : 'raw'
}

/** What is wrong with SVCBENCH_L4_RELAY (for the CLI to refuse before starting anything), or null. */
export function relayEnvProblem(): string | null {
  const asked = process.env.SVCBENCH_L4_RELAY
  if (asked === undefined || asked === '') return null
  if (!RELAY_MODES.includes(asked as RelayMode)) return `got ${JSON.stringify(asked)}; expected one of ${RELAY_MODES.join(', ')} (how the connection proxy moves bytes)`
  if (asked === 'native' && nativeRelay() === null) return `got "native", but the native relay is not built (${process.platform === 'linux' ? 'npm run build:native needs python3, make and g++' : 'Linux only'})`
  return null
}

/** `asked`, or the next one down where it is not available or cannot count requests. */
export function availableRelay(asked: RelayMode, countRequests: boolean): RelayMode {
  if (asked === 'native' && (countRequests || nativeRelay() === null)) asked = 'raw'
  if (asked === 'raw' && !rawAvailable()) asked = 'onread'
  return asked
}
