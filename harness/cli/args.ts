/** argv → CliArgs. Every bad flag is collected; one ScenarioError reports them all (exit 2). */
import { ScenarioError, type ScenarioIssue } from '../errors.ts'
import { parseDurationMs } from '../util/duration.ts'
import { MAX_CLIENT_IPS } from '../scenario/schema.ts'
import { BASELINE_NAME_RE } from '../gate/baseline.ts'
import type { CliOverrides } from '../model/scenario.ts'
import { didYouMean } from '../util/text.ts'

/** Parsed command line. */
export interface CliArgs {
  command: 'run' | 'report' | 'help' | 'version'
  /** Scenario file; undefined means the default (scenarios/quickstart.ts). */
  scenario: string | undefined
  overrides: CliOverrides
  /** Reports root. @default 'reports' */
  outDir: string
  /** Results JSON on stdout and nothing else there. */
  json: boolean
  /** Progress display; false with --no-progress. */
  progress: boolean
  /** Kubernetes manifests giving cluster and service (--manifests). */
  manifests: string | undefined
  /** Faults added with --fault, as scenario `faults` entries. */
  faults: Record<string, unknown>[]
  /** Write report.html, summary.md and charts/ (false with --no-report). */
  report: boolean
  /** `svcbench report <results.json>`: the results file. */
  resultsFile: string | undefined
  /** Trials per variant; undefined = 1, or 5 under --baseline / --save-baseline. */
  trials: number | undefined
  /** Compare against reports/baselines/<name>.json. */
  baseline: string | undefined
  /** Save this run as reports/baselines/<name>.json. */
  saveBaseline: string | undefined
  /** Smallest relative change that can fail the baseline gate. @default 0.05 */
  minChange: number
  /** Significance level of the baseline gate. @default 0.05 */
  alpha: number
  /** Gate throughput and latency as ratios to the calibration path. */
  normalize: boolean
  /** Metric paths to compare with the baseline instead of the defaults (--compare). */
  compare: string[] | undefined
  /** CI mode: no progress bar, a compact log (also on when CI=true). */
  ci: boolean
  /** Write JUnit XML here. */
  junit: string | undefined
}

const VALUE_FLAGS = ['--duration', '--warmup', '--connections', '--client-ips', '--variant', '--seed', '--out', '--manifests', '--fault', '--trials', '--baseline', '--save-baseline', '--min-change', '--alpha', '--compare', '--junit'] as const
const BOOL_FLAGS = ['--json', '--no-progress', '--no-report', '--normalize', '--ci', '--help', '-h', '--version'] as const

/** Usage text for --help. */
export const USAGE = `Usage: svcbench [run] [scenario.ts] [flags]
       svcbench [run] --manifests k8s/app.yaml [flags]
       svcbench report <results.json>     (re)write the reports next to a results file

Runs a scenario (default scenarios/quickstart.ts), prints a comparison of its variants and
writes reports/<scenario>/<UTC timestamp>/results.json.

Flags (each overrides the scenario, for every variant):
  --duration <d>       measured phase, e.g. 3s, 500ms, 2m
  --warmup <d>         warm-up phase (0 to skip)
  --connections <n>    concurrent connections
  --client-ips <n>     distinct client source addresses
  --variant <name>     run only this variant
  --seed <n>           seed for balancers and latency draws
  --out <dir>          reports root (default: reports)
  --fault <spec>       add a fault: <at>:<action>:<target>[:<value>], e.g. 5s:kill-pod:pod-2,
                       3s:slow-pod:random:200, 4s:fail-pod:node=node-b:0.5 (repeatable)
  --manifests <file>   build cluster and service from Kubernetes YAML (Service,
                       Deployment/StatefulSet, optional KubeProxyConfiguration, Nodes);
                       without a scenario file, default load settings apply
  --json               print results JSON on stdout, nothing else there
  --no-progress        no progress display
  --no-report          write results.json only (no report.html, summary.md, charts/)

Gate (thresholds come from the scenario; README "Gates"):
  --baseline <name>    compare with reports/baselines/<name>.json (exit 1 on a regression)
  --save-baseline <name>  save this run's trials as reports/baselines/<name>.json
  --trials <n>         runs per variant, interleaved (default 5 with a baseline, else 1)
  --min-change <p>     smallest change that can fail the gate, e.g. 5% or 0.05 (default 5%)
  --alpha <p>          significance level of the Mann-Whitney U test (default 0.05)
  --normalize          gate throughput and latency as ratios to the calibration path
  --compare <paths>    metrics to compare, comma-separated (default: README "Baselines")
  --ci                 no progress bar, compact log; on when CI=true
  --junit <file>       write JUnit XML, one testcase per threshold and compared metric
  -h, --help           this text
  --version            svcbench version

Exit codes: 0 ok, 1 thresholds failed, 2 bad input, 3 harness failure, 130 interrupted.`

function intFlag(flag: string, raw: string, min: number, max: number, issues: ScenarioIssue[]): number | undefined {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < min || n > max) {
    issues.push({ path: flag, message: `got ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}` })
    return undefined
  }
  return n
}

/** Parse argv (without node and script). Throws ScenarioError listing every bad flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const issues: ScenarioIssue[] = []
  const out: CliArgs = {
    command: 'run', scenario: undefined, overrides: {}, outDir: 'reports', json: false, progress: true, manifests: undefined, faults: [], report: true, resultsFile: undefined,
    trials: undefined, baseline: undefined, saveBaseline: undefined, minChange: 0.05, alpha: 0.05, normalize: false, compare: undefined, ci: false, junit: undefined,
  }
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if ((BOOL_FLAGS as readonly string[]).includes(flag)) {
      if (eq > 0) issues.push({ path: flag, message: `takes no value; got ${JSON.stringify(arg.slice(eq + 1))}` })
      if (flag === '--json') out.json = true
      else if (flag === '--no-progress') out.progress = false
      else if (flag === '--no-report') out.report = false
      else if (flag === '--normalize') out.normalize = true
      else if (flag === '--ci') out.ci = true
      else if (flag === '--help' || flag === '-h') out.command = 'help'
      else if (flag === '--version') out.command = 'version'
      continue
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      const hint = didYouMean(flag, [...VALUE_FLAGS, ...BOOL_FLAGS])
      issues.push({ path: flag, message: `unknown flag${hint === undefined ? '' : ` (did you mean ${hint}?)`}; see --help` })
      continue
    }
    let value: string | undefined
    if (eq > 0) value = arg.slice(eq + 1)
    else if (i + 1 < argv.length) value = argv[++i]
    if (value === undefined) {
      issues.push({ path: flag, message: 'needs a value' })
      continue
    }
    switch (flag) {
      case '--duration':
      case '--warmup': {
        const ms = parseDurationMs(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value)
        if (ms === undefined) issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected a duration such as 10s, 500ms, 2m` })
        else if (flag === '--duration' && ms < 100) issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected at least 100ms` })
        else if (flag === '--duration') out.overrides.durationMs = ms
        else out.overrides.warmupMs = ms
        break
      }
      case '--connections': {
        const n = intFlag(flag, value, 1, 10_000, issues)
        if (n !== undefined) out.overrides.connections = n
        break
      }
      case '--client-ips': {
        const n = intFlag(flag, value, 1, MAX_CLIENT_IPS, issues)
        if (n !== undefined) out.overrides.clientIps = n
        break
      }
      case '--seed': {
        const n = intFlag(flag, value, 0, 2 ** 31 - 1, issues)
        if (n !== undefined) out.overrides.seed = n
        break
      }
      case '--variant':
        out.overrides.variant = value
        break
      case '--fault': {
        // <at>:<action>:<target>[:<value>]; value is latencyMs (slow-pod) or errorRate (fail-pod)
        const parts = value.split(':')
        const [at, action, target, extra] = parts
        if (parts.length < 3 || parts.length > 4 || at === '' || action === '' || target === '') {
          issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected <at>:<action>:<target>[:<value>], e.g. 5s:kill-pod:pod-2 or 3s:slow-pod:random:200` })
          break
        }
        const f: Record<string, unknown> = { at: /^\d+(\.\d+)?$/.test(at as string) ? Number(at) : at, action, target: (target as string).startsWith('node=') ? { node: (target as string).slice(5) } : target }
        if (extra !== undefined) {
          const n = Number(extra)
          if (!Number.isFinite(n)) issues.push({ path: flag, message: `got ${JSON.stringify(extra)} as the value; expected a number (latencyMs for slow-pod, errorRate for fail-pod)` })
          else if (action === 'fail-pod') f.errorRate = n
          else f.latencyMs = n
        }
        out.faults.push(f)
        break
      }
      case '--manifests':
        if (value === '') issues.push({ path: flag, message: 'got ""; expected a Kubernetes YAML file' })
        else out.manifests = value
        break
      case '--trials': {
        const n = intFlag(flag, value, 1, 100, issues)
        if (n !== undefined) out.trials = n
        break
      }
      case '--baseline':
      case '--save-baseline':
        if (!BASELINE_NAME_RE.test(value)) issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected a name of letters, digits, ".", "-" and "_" (it becomes reports/baselines/<name>.json)` })
        else if (flag === '--baseline') out.baseline = value
        else out.saveBaseline = value
        break
      case '--min-change':
      case '--alpha': {
        const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value)
        const x = m === null ? Number.NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1)
        if (!(x >= 0 && x < 1)) issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected a fraction from 0 to 1 or a percentage, e.g. ${flag === '--alpha' ? '0.05 or 5%' : '5% or 0.05'}` })
        else if (flag === '--alpha' && x === 0) issues.push({ path: flag, message: 'got 0; expected more than 0 (nothing could ever be significant)' })
        else if (flag === '--alpha') out.alpha = x
        else out.minChange = x
        break
      }
      case '--compare': {
        const paths = value.split(',').map((x) => x.trim()).filter((x) => x !== '')
        if (paths.length === 0) issues.push({ path: flag, message: `got ${JSON.stringify(value)}; expected metric paths separated by commas, e.g. requests.rps,latency.p99` })
        else out.compare = paths
        break
      }
      case '--junit':
        if (value === '') issues.push({ path: flag, message: 'got ""; expected a file path for the JUnit XML' })
        else out.junit = value
        break
      case '--out':
        if (value === '') issues.push({ path: flag, message: 'got ""; expected a folder path' })
        else out.outDir = value
        break
    }
  }
  if (positionals[0] === 'run') positionals.shift()
  else if (positionals[0] === 'report') {
    positionals.shift()
    out.command = 'report'
    out.resultsFile = positionals.shift()
    if (out.resultsFile === undefined) issues.push({ path: 'report', message: 'needs a results file: svcbench report reports/<scenario>/<time>/results.json' })
  } else if (positionals[0] === 'help') {
    positionals.shift()
    out.command = 'help'
  }
  if (positionals.length > 1) {
    issues.push({ path: 'arguments', message: `got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; expected at most one scenario file` })
  }
  out.scenario = positionals[0]
  if (issues.length > 0) throw new ScenarioError(issues)
  return out
}
