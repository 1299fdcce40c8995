/**
 * Child entry: the load generator inside the run's client namespace, where the client addresses
 * live. It runs one LoadExecutor (load/registry.ts) on the plan it is sent, answers progress
 * polls, and hands the result back with its histograms encoded (wire.ts).
 */
import { serveIpc } from '../../process/ipc.ts'
import { createLoadExecutor } from '../../load/registry.ts'
import { HarnessError } from '../../errors.ts'
import { encodeLoadResult } from './wire.ts'
import type { LoadExecutorName, LoadPlan, RunningLoad } from '../../load/types.ts'
import type { LoadProgress } from '../../model/measurements.ts'

const IDLE: LoadProgress = { responses: 0, errors: 0, measured: { requests: 0, errors: 0 } }
let running: RunningLoad | undefined

serveIpc({
  // A refused plan comes back as its error code and message (the parent throws it as such).
  start(p) {
    const { executor, plan } = p as { executor: LoadExecutorName; plan: LoadPlan }
    try {
      running = createLoadExecutor(executor).start(plan)
      running.result.catch(() => {}) // asked for with `result`
      return { ok: true }
    } catch (err) {
      return { ok: false, code: err instanceof HarnessError ? err.code : 'LOAD_FAILED', message: (err as Error).message }
    }
  },
  progress: () => running?.progress() ?? IDLE,
  stop: () => void running?.stop(),
  async result() {
    if (running === undefined) throw new Error('no load started')
    return encodeLoadResult(await running.result)
  },
})
process.send?.({ type: 'ready' })
