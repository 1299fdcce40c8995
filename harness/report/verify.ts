/** `svcbench verify`'s printed verdicts: per variant, each figure with both sides and its verdict. Pure. */
import type { VerifyFigure, VerifyFigureName, VerifyResult } from '../model/verify.ts'

/** How each figure is named in print. */
export const FIGURE_TITLES: Record<VerifyFigureName, string> = {
  split: 'split of decisions',
  clientsOnOnePod: 'clients on one pod',
  podsPerClient: 'pods per client',
  sourceAddresses: 'source addresses at the pods',
  clientsAnsweredByOnePod: 'clients answered by one pod',
  errors: 'errors',
  detection: 'detection',
  flowsStuck: 'flows stuck',
  stuckFlowFates: "stuck flows' fates",
  blackhole: 'blackhole',
}

/** A figure's title with its window, e.g. `errors (kill-pod pod-2 at 1.0s)`. */
export function figureTitle(f: Pick<VerifyFigure, 'figure' | 'window'>): string {
  return `${FIGURE_TITLES[f.figure]}${f.window === undefined ? '' : ` (${f.window})`}`
}

const MARK: Record<VerifyFigure['verdict'], string> = { agrees: 'agrees', differs: 'DIFFERS', 'known-difference': 'known difference', 'not-compared': 'not compared' }

/** The verdicts as text: a block per variant, a few lines per figure. */
export function verifyText(r: VerifyResult): string {
  const lines = [`${r.scenario.name}: proxy dataplane (svcbench's simulator) against kernel dataplane (kube-proxy's rules): ${r.verdict === 'agrees' ? 'they agree' : 'they differ'}${r.interrupted ? ' (interrupted: partial)' : ''}`]
  for (const v of r.variants) {
    lines.push('', `variant ${v.name} (${v.proxyMode}, ${v.externalTrafficPolicy}${v.sessionAffinity === 'ClientIP' ? ', ClientIP affinity' : ''}): ${v.verdict === 'agrees' ? 'agrees' : 'DIFFERS'}`)
    for (const f of v.figures) {
      lines.push(`  ${figureTitle(f).padEnd(44)} ${MARK[f.verdict]}`, `      proxy:  ${f.proxy}`, `      kernel: ${f.kernel}`, `      ${f.basis}${f.explainedBy === undefined ? '' : `; see ${f.explainedBy}`}`)
    }
  }
  return lines.join('\n')
}

/** One line per differing figure, `variant "x": split of decisions`, for the closing message. */
export function differingFigures(r: VerifyResult): string[] {
  return r.variants.flatMap((v) => v.figures.filter((f) => f.verdict === 'differs').map((f) => `variant "${v.name}": ${figureTitle(f)}`))
}
