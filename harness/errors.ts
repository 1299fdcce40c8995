/**
 * Every error svcbench raises on purpose. Exit codes: ScenarioError 2, HarnessError 3,
 * InterruptedError 130. A failed gate is a value (see README "Exit codes"), never thrown.
 */

/** One problem found in a scenario, a CLI flag or a threshold. */
export interface ScenarioIssue {
  /** Dotted field path, e.g. `service.balancer` or `--duration`. */
  path: string
  /** Human sentence: what is wrong, the bad value, what is expected, the fix where obvious. */
  message: string
}

/** Bad input: thrown before anything starts, carrying every issue found at once. Exit code 2. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
  readonly code = 'SCENARIO_INVALID'
  readonly exitCode = 2
  /** Every problem found, in field order. */
  readonly issues: readonly ScenarioIssue[]
  /** The scenario file the issues are about, when there is one. */
  readonly file: string | undefined
  /** Warnings collected before the issues were found (printed with them: they may explain them). */
  readonly warnings: readonly string[]

  constructor(issues: readonly ScenarioIssue[], opts: { file?: string; warnings?: readonly string[] } = {}) {
    const where = opts.file === undefined ? '' : `${opts.file}: `
    const lines = issues.map((i) => `${where}${i.path}: ${i.message}`)
    super(
      issues.length === 1
        ? (lines[0] ?? 'invalid scenario')
        : `${issues.length} problems:\n  ${lines.join('\n  ')}`,
    )
    this.issues = issues
    this.file = opts.file
    this.warnings = [...(opts.warnings ?? [])]
  }
}

/** Stable codes for harness faults, for scripts that read stderr or results. */
export type HarnessErrorCode =
  | 'ADDRESS_BLOCK_UNAVAILABLE'
  | 'CHILD_START_FAILED'
  | 'CHILD_EXITED'
  | 'POD_NOT_READY'
  | 'PROXY_NOT_READY'
  | 'ENDPOINTS_PUBLISH_FAILED'
  | 'LOAD_FAILED'
  | 'RESULTS_WRITE_FAILED'
  | 'REPORT_FAILED'
  | 'NOT_LOOPBACK'
  /** The kernel dataplane could not build (or remove) the run's network namespaces, links, routes or rules. */
  | 'NETNS_FAILED'
  /** The scenario resolver failed on a scenario the schema accepted (a bug in svcbench). */
  | 'RESOLVE_FAILED'

/** The harness itself failed (a pod would not bind, a proxy crashed). Exit code 3. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError'
  readonly exitCode = 3
  readonly code: HarnessErrorCode

  constructor(code: HarnessErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.code = code
  }
}

/** The run was stopped by SIGINT/SIGTERM. Exit code 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError'
  readonly code = 'INTERRUPTED'
  readonly exitCode = 130
  constructor(signal: string) {
    super(`interrupted by ${signal}`)
  }
}
