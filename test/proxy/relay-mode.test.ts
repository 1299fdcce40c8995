import { afterEach, describe, expect, it } from 'vitest'
import { availableRelay, relayEnvProblem } from '../../harness/proxy/relay/mode.ts'
import { nativeRelay, nativeRelayProblem } from '../../harness/proxy/relay/native.ts'
import type { RelayMode } from '../../harness/proxy/relay/mode.ts'

const saved = process.env.SVCBENCH_L4_RELAY
afterEach(() => {
  if (saved === undefined) delete process.env.SVCBENCH_L4_RELAY
  else process.env.SVCBENCH_L4_RELAY = saved
})

// Where the addon is built (Linux with npm ci; test/proxy/l4.test.ts checks that it is).
describe.runIf(nativeRelay() !== null)('availableRelay where the native relay runs', () => {
  it.each([
    { asked: undefined, env: undefined, countRequests: false, mode: 'native', fallback: null },
    { asked: undefined, env: 'raw', countRequests: false, mode: 'raw', fallback: null },
    { asked: 'data', env: 'raw', countRequests: false, mode: 'data', fallback: null },
    // Command pods: a JavaScript relay counts their requests; raw is their default.
    { asked: undefined, env: undefined, countRequests: true, mode: 'raw', fallback: null },
    { asked: 'onread', env: undefined, countRequests: true, mode: 'onread', fallback: null },
    // Asked for by name, native cannot count: the fallback is said.
    { asked: undefined, env: 'native', countRequests: true, mode: 'raw', fallback: 'instead of native: counting the requests of command pods needs a JavaScript relay' },
    { asked: 'native', env: undefined, countRequests: true, mode: 'raw', fallback: 'instead of native: counting the requests of command pods needs a JavaScript relay' },
  ] as { asked: RelayMode | undefined; env: string | undefined; countRequests: boolean; mode: RelayMode; fallback: string | null }[])(
    'asked $asked, SVCBENCH_L4_RELAY $env, counting requests $countRequests: $mode',
    ({ asked, env, countRequests, mode, fallback }) => {
      if (env === undefined) delete process.env.SVCBENCH_L4_RELAY
      else process.env.SVCBENCH_L4_RELAY = env
      expect(availableRelay(asked, countRequests)).toEqual({ mode, fallback })
      expect(nativeRelayProblem()).toBeNull()
      expect(relayEnvProblem()).toBeNull()
    },
  )
})
