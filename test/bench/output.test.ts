import { describe, expect, it } from 'vitest'
import { measurementPath } from '../../harness/bench/output.ts'

describe('measurementPath', () => {
  const at = new Date('2026-12-01T14:00:00Z')
  it.each([
    [[], '/m/proxy-2026-12-01.json'],
    [['/m/proxy-2026-12-01.json'], '/m/proxy-2026-12-01-2.json'],
    [['/m/proxy-2026-12-01.json', '/m/proxy-2026-12-01-2.json'], '/m/proxy-2026-12-01-3.json'],
  ])('with %j already there: %s (a second recording the same day never overwrites the first)', (existing, expected) => {
    expect(measurementPath('/m', 'proxy', at, (f) => existing.includes(f))).toBe(expected)
  })
})
