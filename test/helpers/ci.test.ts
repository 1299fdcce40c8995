import { describe, expect, it } from 'vitest'
import { inCi, requireInCi } from './ci.ts'

/** A stand-in for vitest's context: records what skip was called with. */
function fakeContext() {
  const skips: (string | undefined)[] = []
  return { skips, ctx: { skip: ((note?: string) => void skips.push(note)) as never } }
}

describe('inCi', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: 'false' }, false],
    [{}, false],
  ])('%j → %s', (env, ci) => expect(inCi(env)).toBe(ci))
})

describe('requireInCi', () => {
  it('does nothing when the requirement is there, in CI or not', () => {
    for (const env of [{ CI: 'true' }, {}]) {
      const { skips, ctx } = fakeContext()
      expect(() => requireInCi('Chromium', true, env)(ctx)).not.toThrow()
      expect(skips).toEqual([])
    }
  })
  it('skips, naming what is missing, outside CI', () => {
    const { skips, ctx } = fakeContext()
    requireInCi('Chromium on PATH', false, {})(ctx)
    expect(skips).toEqual(['needs Chromium on PATH'])
  })
  it('fails instead of skipping under CI=true, naming what is missing', () => {
    const { skips, ctx } = fakeContext()
    expect(() => requireInCi('Chromium on PATH', false, { CI: 'true' })(ctx)).toThrow(/^Chromium on PATH: missing, and under CI=true no test may skip/)
    expect(skips).toEqual([])
  })
})
