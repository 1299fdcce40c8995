/** Ranks shared by the gate's rank tests (Mann-Whitney U, Wilcoxon signed-rank). Pure. */

/** Mid-ranks (1-based) of `xs`, ties sharing the mean of their ranks. */
export function midRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const ranks = new Array<number>(xs.length)
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
    const r = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r
    i = j + 1
  }
  return ranks
}
