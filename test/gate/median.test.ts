import { describe, expect, it } from 'vitest'
import { median } from '../../harness/gate/verdict.ts'

describe('median', () => {
  it.each([
    [[], Number.NaN],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[1, 1, 1, 100], 1],
    [[-2, 10], 4],
    [[0.5, 0.25, 1, 0.75, 2, 0.125], 0.625],
  ])('median(%j) = %d', (xs, expected) => {
    expect(median(xs)).toBe(expected)
  })
  it('leaves its input as it was', () => {
    const xs = [5, 3, 9, 1]
    median(xs)
    expect(xs).toEqual([5, 3, 9, 1])
  })
})
