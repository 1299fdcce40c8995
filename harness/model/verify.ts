/**
 * What `svcbench verify` writes as verify.json: every variant run on both dataplanes (svcbench's
 * `proxy` simulator and the `kernel`, kube-proxy's own rules), and per figure the two sides and a
 * verdict. Types and constants only; harness/stats/cross-check.ts makes the verdicts.
 */

/** The figures verify compares, in the order it prints them. */
export const VERIFY_FIGURES = [
  'split',
  'clientsOnOnePod',
  'podsPerClient',
  'sourceAddresses',
  'clientsAnsweredByOnePod',
  'errors',
  'detection',
  'flowsStuck',
  'stuckFlowFates',
  'blackhole',
] as const

/**
 * A compared figure: `split` (balancing decisions per pod: a UDP Service's flows), `clientsOnOnePod`
 * (client addresses all of whose decisions went to one pod), `podsPerClient` (how many pods each
 * client address reached), `sourceAddresses` (what the pods saw as source address, TCP's or a UDP
 * query's: client addresses or node addresses), `clientsAnsweredByOnePod` (UDP: clients whose
 * answers all came from one pod, from the answers), `errors` (error kinds and counts in one fault's
 * window, or the whole run without faults), `detection` (seconds from a fault until every node had
 * the endpoint change), and per fault of a UDP Service with fixed source ports `flowsStuck` (flows
 * on the dead endpoint that lost queries after it), `stuckFlowFates` (the stuck flows moved, back on
 * the same pod, or never answered), `blackhole` (seconds from the fault to the stuck flows' last
 * lost query).
 */
export type VerifyFigureName = (typeof VERIFY_FIGURES)[number]

/**
 * `agrees`: within the stated test or tolerance; `differs`: not; `known-difference`: they differ
 * in a way docs/kube-proxy-model.md names and explains (the verdict says which); `not-compared`:
 * nothing to compare (too few counts for the test, no fault), and why.
 */
export type FigureVerdict = 'agrees' | 'differs' | 'known-difference' | 'not-compared'

/** One figure of one variant on both dataplanes. */
export interface VerifyFigure {
  /**
   * Which figure: `split` (balancing decisions per pod), `clientsOnOnePod`, `podsPerClient`,
   * `sourceAddresses` (what the pods saw as source address), `clientsAnsweredByOnePod` (UDP: what
   * the clients observed), `errors` (kinds and counts in one fault's window), `detection` (a
   * fault's detection time), `flowsStuck`, `stuckFlowFates`, `blackhole` (UDP, fixed source ports:
   * what one fault cost the flows pinned to the dead endpoint).
   */
  figure: VerifyFigureName
  /** For `errors`, `detection`, `flowsStuck`, `stuckFlowFates` and `blackhole`: the fault window, e.g. `kill-pod pod-2 at 1.0s`, or `whole run`; absent otherwise. */
  window?: string
  /** The figure on the proxy dataplane, as printed. */
  proxy: string
  /** The figure on the kernel dataplane, as printed. */
  kernel: string
  /** The verdict. */
  verdict: FigureVerdict
  /** How it was judged: the test with its p-value, or the tolerance, or why it was not compared. */
  basis: string
  /** The test's p-value where a χ² test of homogeneity (or Fisher's exact test) decided; absent otherwise. */
  p?: number
  /** With `known-difference`: the section of docs/kube-proxy-model.md that explains it. */
  explainedBy?: string
}

/** One variant of the scenario, verified. */
export interface VerifyVariant {
  /** The variant's name. */
  name: string
  /** Its kube-proxy mode (`nftables` or `iptables`). */
  proxyMode: string
  /** Its externalTrafficPolicy. */
  externalTrafficPolicy: 'Cluster' | 'Local'
  /** Its sessionAffinity. */
  sessionAffinity: 'None' | 'ClientIP'
  /** Every compared figure. */
  figures: VerifyFigure[]
  /** `differs` when any figure differs, else `agrees`. */
  verdict: 'agrees' | 'differs'
}

/** What verify.json holds. */
export interface VerifyResult {
  /** This file's schema version: 1. */
  schemaVersion: 1
  /** The scenario verified: its name and file. */
  scenario: {
    /** The scenario's name. */
    name: string
    /** The scenario file as the command line named it. */
    file: string | undefined
  }
  /** The seed both sides ran with. */
  seed: number
  /** When the first side began, ISO 8601 UTC. */
  startedAt: string
  /** When both sides had finished, ISO 8601 UTC. */
  finishedAt: string
  /** True when SIGINT/SIGTERM stopped either side: the verdicts cover what ran. */
  interrupted: boolean
  /** Where each side's results.json was written, relative to verify.json's folder. */
  results: {
    /** The proxy dataplane's results file. */
    proxy: string
    /** The kernel dataplane's results file. */
    kernel: string
  }
  /** How the figures were judged. */
  criteria: {
    /** χ² tests of homogeneity agree at p ≥ this. */
    alpha: number
    /** Detection times agree within one probe period plus this, s. */
    detectionSlackSec: number
    /** Error shares of a window agree within this factor of each other. */
    errorShareFactor: number
  }
  /** Every variant, in scenario order. */
  variants: VerifyVariant[]
  /** `differs` when any variant differs, else `agrees`. */
  verdict: 'agrees' | 'differs'
}
