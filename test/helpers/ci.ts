/**
 * Tests that need something the machine may lack (Chromium, the native relay). Every conditional
 * skip in test/ goes through {@link requireInCi}, so that none is silent: outside CI a missing
 * requirement skips the test with a note (vitest counts it, .ci/run prints the count); under
 * CI=true, where .ci/run provides everything its tests need, it fails the test instead.
 */
import type { TestContext } from 'vitest'

/** Whether the tests run under CI: `CI=true`, as CI systems set it. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true'
}

/**
 * A hook that gates a test on `what`, for `beforeEach(requireInCi(what, available))` (a whole
 * describe) or `requireInCi(what, available)(ctx)` first thing in one test. When `available`, it
 * does nothing; when not, it skips the test with a note naming `what`, or under CI=true throws,
 * naming it (the test fails).
 */
export function requireInCi(what: string, available: boolean, env: NodeJS.ProcessEnv = process.env): (ctx: Pick<TestContext, 'skip'>) => void {
  return (ctx) => {
    if (available) return
    if (inCi(env)) throw new Error(`${what}: missing, and under CI=true no test may skip (.ci/run provides it)`)
    ctx.skip(`needs ${what}`)
  }
}
