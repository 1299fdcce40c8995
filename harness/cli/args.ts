/**
 * argv → CliArgs, from one table of flags (FLAGS): each entry's name, value, default, group and
 * parser. parseArgs, `--help` (usage()) and docs/cli.md (harness/cli/docs.ts) are all derived from
 * it. Every bad flag is collected; one ScenarioError reports them all (exit 2).
 */
import { ScenarioError, type ScenarioIssue } from '../errors.ts'
import { parseDurationMs } from '../util/duration.ts'
import { MAX_CLIENT_IPS, MAX_RATE_RPS } from '../scenario/schema.ts'
import { BASELINE_NAME_RE, DEFAULT_BASELINE_RUNS } from '../gate/baseline.ts'
import type { CliOverrides } from '../model/scenario.ts'
import { didYouMean } from '../util/text.ts'
import { DEFAULT_COMPARE, DEFAULT_COMPARE_OPTIONS } from '../gate/verdict.ts'
import { exitCodes } from './exit-codes.ts'

/** Parsed command line. */
export interface CliArgs {
  command: 'run' | 'report' | 'verify' | 'help' | 'version'
  /** Scenario file; undefined means the default (scenarios/quickstart.ts). With `verify`, the first of {@link scenarios}. */
  scenario: string | undefined
  /** `svcbench verify`: every scenario file named, verified in turn; absent for the other commands. */
  scenarios?: string[]
  overrides: CliOverrides
  /** Reports root. @default 'reports' */
  outDir: string
  /** Results JSON on stdout and nothing else there. */
  json: boolean
  /** Progress display; false with --no-progress. */
  progress: boolean
  /** Kubernetes manifests giving cluster and service (--manifests). */
  manifests: string | undefined
  /** The manifests' Service to run (--service). */
  manifestService: string | undefined
  /** That Service's port, by name or number (--port). */
  manifestPort: string | undefined
  /** service.type over the scenario's and every variant's (--service-type). */
  serviceType: 'NodePort' | 'LoadBalancer' | undefined
  /** Faults added with --fault, as scenario `faults` entries. */
  faults: Record<string, unknown>[]
  /** Write report.html, summary.md and charts/ (false with --no-report). */
  report: boolean
  /** `svcbench report <results.json>`: the results file (the first, when two are named). */
  resultsFile: string | undefined
  /** `svcbench report`: every results file named: one (write its reports again) or two (compare them); absent for the other commands. */
  resultsFiles?: string[]
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
  /** --pair: the baseline and the candidate variant, run as adjacent pairs and gated B against A. */
  pair?: [baseline: string, candidate: string]
  /** Pairs under --pair; undefined = DEFAULT_PAIRS. */
  pairs?: number
  /** Saved runs --save-baseline keeps in the file (--baseline-runs); undefined = DEFAULT_BASELINE_RUNS. */
  baselineRuns?: number
  /** --confirm (true) or --no-confirm (false); undefined = on when CI=true. */
  confirm?: boolean
}

/** Trials per variant under --baseline / --save-baseline unless --trials says otherwise. */
export const DEFAULT_GATE_TRIALS = 5

/** Pairs under --pair unless --pairs says otherwise (6: the fewest with which the exact signed-rank test can reach p < 0.05). */
export const DEFAULT_PAIRS = 6

/** Where a flag is listed in `--help` and docs/cli.md, in this order. */
export const FLAG_GROUPS = {
  overrides: 'Overrides (each applies to every variant, over what the scenario says)',
  output: 'Output',
  gate: 'Gate (thresholds come from the scenario; docs/gates.md)',
  other: 'Other',
} as const

/** A group of {@link FLAG_GROUPS}. */
export type FlagGroup = keyof typeof FLAG_GROUPS

/** Records one problem with the flag being parsed; the issue's path is the flag. */
export type FlagIssue = (message: string) => void

interface FlagBase {
  /** The flag, e.g. `--duration`. */
  name: string
  /** Other spellings, e.g. `-h`. @default [] */
  aliases?: readonly string[]
  /** What the flag does, for `--help` (lines wrap there) and docs/cli.md. */
  help: string
  /** More for docs/cli.md only, after `help`. */
  details?: string
  /** The default as people write it, shown in `--help` and docs/cli.md; absent when there is none to show. */
  default?: string
  group: FlagGroup
}

/** A flag that takes no value. */
export interface SwitchFlag extends FlagBase {
  kind: 'switch'
  set(out: CliArgs): void
}

/** A flag with a value: `--name value` or `--name=value`. */
export interface ValueFlag extends FlagBase {
  kind: 'value'
  /** How the value is shown, e.g. `<d>`. */
  placeholder: string
  /** Store the value in `out`, or report what is wrong with it. */
  parse(value: string, out: CliArgs, issue: FlagIssue): void
}

/** One command-line flag. */
export type FlagSpec = SwitchFlag | ValueFlag

const got = (v: string) => `got ${JSON.stringify(v)}`

function intValue(min: number, max: number, set: (out: CliArgs, n: number) => void): ValueFlag['parse'] {
  return (raw, out, issue) => {
    const n = Number(raw)
    if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < min || n > max) issue(`${got(raw)}; expected an integer from ${min} to ${max}`)
    else set(out, n)
  }
}

function rateValue(set: (out: CliArgs, rps: number) => void): ValueFlag['parse'] {
  return (raw, out, issue) => {
    const n = Number(raw)
    if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0 && n <= MAX_RATE_RPS)) issue(`${got(raw)}; expected requests per second, a number above 0 and at most ${MAX_RATE_RPS}`)
    else set(out, n)
  }
}

function durationValue(minMs: number, set: (out: CliArgs, ms: number) => void): ValueFlag['parse'] {
  return (raw, out, issue) => {
    // A bare number is milliseconds.
    const ms = parseDurationMs(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw)
    if (ms === undefined) issue(`${got(raw)}; expected a duration such as 10s, 500ms, 2m`)
    else if (ms < minMs) issue(`${got(raw)}; expected at least ${minMs}ms`)
    else set(out, ms)
  }
}

function nonEmptyValue(expected: string, set: (out: CliArgs, v: string) => void): ValueFlag['parse'] {
  return (raw, out, issue) => (raw === '' ? issue(`got ""; expected ${expected}`) : set(out, raw))
}

function baselineValue(set: (out: CliArgs, v: string) => void): ValueFlag['parse'] {
  return (raw, out, issue) =>
    BASELINE_NAME_RE.test(raw) ? set(out, raw) : issue(`${got(raw)}; expected a name of letters, digits, ".", "-" and "_" (it becomes reports/baselines/<name>.json)`)
}

/** A fraction in [0, 1) written as 0.05 or 5%; `example` is shown in the message. */
function fractionValue(example: string, allowZero: boolean, set: (out: CliArgs, x: number) => void): ValueFlag['parse'] {
  return (raw, out, issue) => {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw)
    const x = m === null ? Number.NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1)
    if (!(x >= 0 && x < 1)) issue(`${got(raw)}; expected a fraction from 0 to 1 or a percentage, e.g. ${example}`)
    else if (!allowZero && x === 0) issue('got 0; expected more than 0 (nothing could ever be significant)')
    else set(out, x)
  }
}

/** `<at>:<action>:<target>[:<value>]`; the value is latencyMs (slow-pod) or errorRate (fail-pod). */
function parseFault(raw: string, out: CliArgs, issue: FlagIssue): void {
  const parts = raw.split(':')
  const [at, action, target, extra] = parts as [string, string, string, string | undefined]
  if (parts.length < 3 || parts.length > 4 || at === '' || action === '' || target === '') {
    issue(`${got(raw)}; expected <at>:<action>:<target>[:<value>], e.g. 5s:kill-pod:pod-2 or 3s:slow-pod:random:200`)
    return
  }
  const f: Record<string, unknown> = { at: /^\d+(\.\d+)?$/.test(at) ? Number(at) : at, action, target: target.startsWith('node=') ? { node: target.slice(5) } : target }
  if (extra !== undefined) {
    const n = Number(extra)
    if (!Number.isFinite(n)) issue(`${got(extra)} as the value; expected a number (latencyMs for slow-pod, errorRate for fail-pod)`)
    else if (action === 'fail-pod') f.errorRate = n
    else f.latencyMs = n
  }
  out.faults.push(f)
}

function parseCompare(raw: string, out: CliArgs, issue: FlagIssue): void {
  const paths = raw.split(',').map((x) => x.trim()).filter((x) => x !== '')
  if (paths.length === 0) issue(`${got(raw)}; expected metric paths separated by commas, e.g. requests.rps,latency.p99`)
  else out.compare = paths
}

function parsePair(raw: string, out: CliArgs, issue: FlagIssue): void {
  const names = raw.split(',').map((x) => x.trim())
  if (names.length !== 2 || names.some((n) => n === '')) issue(`${got(raw)}; expected two variants of the scenario, baseline first: --pair main,candidate`)
  else if (names[0] === names[1]) issue(`${got(raw)}; expected two different variants (the baseline, then the candidate)`)
  else out.pair = [names[0]!, names[1]!]
}

/** Combinations of flags that cannot go together (each flag is valid alone). */
function crossIssues(o: CliArgs): ScenarioIssue[] {
  const issues: ScenarioIssue[] = []
  if (o.pair !== undefined) {
    if (o.trials !== undefined) issues.push({ path: '--trials', message: 'does not apply with --pair; set the number of pairs with --pairs' })
    if (o.baseline !== undefined || o.saveBaseline !== undefined) issues.push({ path: '--pair', message: `cannot be combined with ${o.baseline !== undefined ? '--baseline' : '--save-baseline'}: under --pair the baseline is the pair's first variant, run in the same job` })
    if (o.overrides.variant !== undefined) issues.push({ path: '--variant', message: 'cannot be combined with --pair, which names the two variants that run' })
  } else if (o.pairs !== undefined) issues.push({ path: '--pairs', message: 'only with --pair <baseline>,<candidate>' })
  if (o.baselineRuns !== undefined && o.saveBaseline === undefined) issues.push({ path: '--baseline-runs', message: 'only with --save-baseline <name> (it says how many saved runs the file keeps)' })
  if (o.command === 'verify') issues.push(...verifyIssues(o))
  return issues
}

/** Gate flags (set to something other than their defaults) that `svcbench verify` refuses: it compares the two dataplanes, not a run with a baseline. */
function verifyIssues(o: CliArgs): ScenarioIssue[] {
  const gateFlags: [string, boolean][] = [
    ['--baseline', o.baseline !== undefined],
    ['--save-baseline', o.saveBaseline !== undefined],
    ['--trials', o.trials !== undefined],
    ['--pair', o.pair !== undefined],
    ['--compare', o.compare !== undefined],
    ['--normalize', o.normalize],
    ['--junit', o.junit !== undefined],
    ['--confirm', o.confirm === true],
  ]
  return gateFlags.filter(([, set]) => set).map(([flag]) => ({ path: flag, message: 'does not apply to svcbench verify, which runs every variant once on each dataplane and compares the two (exit 1 when a figure differs)' }))
}

const pct = (x: number) => `${x * 100}%`

/** Every flag of `svcbench run`, in `--help` order. */
export const FLAGS: readonly FlagSpec[] = [
  { kind: 'value', name: '--duration', placeholder: '<d>', group: 'overrides', help: 'measured phase, e.g. 3s, 500ms, 2m (a bare number is ms; at least 100ms)', parse: durationValue(100, (o, ms) => (o.overrides.durationMs = ms)) },
  { kind: 'value', name: '--warmup', placeholder: '<d>', group: 'overrides', help: 'warm-up phase (0 to skip)', parse: durationValue(0, (o, ms) => (o.overrides.warmupMs = ms)) },
  { kind: 'value', name: '--connections', placeholder: '<n>', group: 'overrides', help: 'concurrent connections (1 to 10000)', parse: intValue(1, 10_000, (o, n) => (o.overrides.connections = n)) },
  { kind: 'value', name: '--client-ips', placeholder: '<n>', group: 'overrides', help: `distinct client source addresses (1 to ${MAX_CLIENT_IPS})`, parse: intValue(1, MAX_CLIENT_IPS, (o, n) => (o.overrides.clientIps = n)) },
  {
    kind: 'value', name: '--rate', placeholder: '<rps>', group: 'overrides', parse: rateValue((o, n) => (o.overrides.rateRps = n)),
    help: 'the open model at this constant rate, requests per second (replaces load.rate and load.stages)',
    details: 'Requests start on a schedule, whatever became of the earlier ones, and latency counts from each one\'s intended start; see [load-models.md](load-models.md).',
  },
  { kind: 'value', name: '--variant', placeholder: '<name>', group: 'overrides', help: 'run only this variant', parse: (v, o) => (o.overrides.variant = v) },
  { kind: 'value', name: '--seed', placeholder: '<n>', group: 'overrides', help: 'seed for balancers and latency draws', parse: intValue(0, 2 ** 31 - 1, (o, n) => (o.overrides.seed = n)) },
  {
    kind: 'value', name: '--fault', placeholder: '<spec>', group: 'overrides', parse: parseFault,
    help: 'add a fault to every variant: <at>:<action>:<target>[:<value>], e.g. 5s:kill-pod:pod-2, 3s:slow-pod:random:200, 4s:fail-pod:node=node-b:0.5 (repeatable)',
    details: 'The value is `latencyMs` for `slow-pod`, `errorRate` for `fail-pod`; `node=<name>` targets every pod on a node. The faults are added to the scenario\'s own (and to every variant\'s); see [faults.md](faults.md).',
  },
  {
    kind: 'value', name: '--manifests', placeholder: '<file>', group: 'overrides', parse: nonEmptyValue('a Kubernetes YAML file', (o, v) => (o.manifests = v)),
    help: 'build cluster and service from Kubernetes manifests (a YAML or JSON file, or a folder of them: Services, workloads, HPAs, EndpointSlices, KubeProxyConfiguration, Nodes, MetalLB objects); without a scenario file, default load settings apply',
    details: 'See [own-service.md](own-service.md#kubernetes-manifests).',
  },
  {
    kind: 'value', name: '--service', placeholder: '<name>', group: 'overrides', parse: nonEmptyValue('a Service name', (o, v) => (o.manifestService = v)),
    help: 'with --manifests: the Service to run (default: the only one, else the only NodePort or LoadBalancer one)',
    details: 'Same as `cluster.manifests: { file, service }` in a scenario, which it overrides.',
  },
  {
    kind: 'value', name: '--port', placeholder: '<name|n>', group: 'overrides', parse: nonEmptyValue('a Service port name or number', (o, v) => (o.manifestPort = v)),
    help: "with --manifests: the Service's port to benchmark, by name or number (default: the first)",
    details: 'Same as `cluster.manifests: { file, port }` in a scenario, which it overrides.',
  },
  {
    kind: 'value', name: '--service-type', placeholder: '<type>', group: 'overrides',
    parse: (v, o, issue) => (v === 'NodePort' || v === 'LoadBalancer' ? (o.serviceType = v) : issue(`got ${JSON.stringify(v)}; expected NodePort or LoadBalancer`)),
    help: "service.type for the scenario and every variant: NodePort or LoadBalancer; runs a manifests' ClusterIP Service exposed",
    details: 'A ClusterIP Service from `--manifests` runs as written with in-cluster clients (`load.from: \'cluster\'`); this runs it exposed instead, to clients outside the cluster (`load.from: \'external\'`).',
  },
  { kind: 'value', name: '--out', placeholder: '<dir>', group: 'output', default: 'reports', help: 'reports root', details: 'The run goes to `<dir>/<scenario>/<UTC timestamp>/`, a comparison (`svcbench report a b`) to `<dir>/compare/<UTC timestamp>/`; baselines are read from and saved to `<dir>/baselines/`.', parse: nonEmptyValue('a folder path', (o, v) => (o.outDir = v)) },
  { kind: 'switch', name: '--json', group: 'output', help: 'print results JSON on stdout, nothing else there', details: 'The table, progress, warnings and (under GitHub Actions) the `::error` annotations go to stderr.', set: (o) => (o.json = true) },
  { kind: 'switch', name: '--no-progress', group: 'output', help: 'no progress display', set: (o) => (o.progress = false) },
  { kind: 'switch', name: '--no-report', group: 'output', help: 'write results.json only (no report.html, summary.md, charts/)', set: (o) => (o.report = false) },
  { kind: 'value', name: '--baseline', placeholder: '<name>', group: 'gate', help: 'compare with reports/baselines/<name>.json (exit 1 on a regression)', details: 'The file is under `--out`.', parse: baselineValue((o, v) => (o.baseline = v)) },
  { kind: 'value', name: '--save-baseline', placeholder: '<name>', group: 'gate', help: "save this run's trials as reports/baselines/<name>.json", details: 'Not when the run was interrupted or aborted.', parse: baselineValue((o, v) => (o.saveBaseline = v)) },
  { kind: 'value', name: '--trials', placeholder: '<n>', group: 'gate', default: `${DEFAULT_GATE_TRIALS} with --baseline or --save-baseline, else 1`, help: 'runs per variant, interleaved, 1 to 100', parse: intValue(1, 100, (o, n) => (o.trials = n)) },
  { kind: 'value', name: '--min-change', placeholder: '<p>', group: 'gate', default: pct(DEFAULT_COMPARE_OPTIONS.minChange), help: 'smallest change that can fail the baseline gate, e.g. 5% or 0.05', parse: fractionValue('5% or 0.05', true, (o, x) => (o.minChange = x)) },
  { kind: 'value', name: '--alpha', placeholder: '<p>', group: 'gate', default: String(DEFAULT_COMPARE_OPTIONS.alpha), help: 'significance level of the Mann-Whitney U test (of the signed-rank test under --pair)', parse: fractionValue('0.05 or 5%', false, (o, x) => (o.alpha = x)) },
  { kind: 'switch', name: '--normalize', group: 'gate', help: 'gate throughput and latency as ratios to the calibration path', set: (o) => (o.normalize = true) },
  { kind: 'value', name: '--compare', placeholder: '<paths>', group: 'gate', default: DEFAULT_COMPARE.map((s) => s.path).join(', '), help: 'metrics to compare with the baseline, comma-separated', parse: parseCompare },
  {
    kind: 'value', name: '--pair', placeholder: '<a,b>', group: 'gate', parse: parsePair,
    help: "run only variants a (the baseline) and b (the candidate), as adjacent pairs A B, B A, A B, …, and gate b against a (exit 1 on a regression)",
    details: 'Each trial runs on a fresh cluster; a disturbed trial runs again with its partner. The verdict per metric is the exact Wilcoxon signed-rank test of the per-pair changes, with the same min-change and noise floors; see [gates.md](gates.md#paired-gate---pair).',
  },
  { kind: 'value', name: '--pairs', placeholder: '<n>', group: 'gate', default: String(DEFAULT_PAIRS), help: 'pairs under --pair, 1 to 100 (with fewer than 6 nothing can fail)', parse: intValue(1, 100, (o, n) => (o.pairs = n)) },
  {
    kind: 'value', name: '--baseline-runs', placeholder: '<n>', group: 'gate', default: String(DEFAULT_BASELINE_RUNS), parse: intValue(1, 50, (o, n) => (o.baselineRuns = n)),
    help: 'saved runs --save-baseline keeps in the baseline file, newest last, 1 to 50 (1: only this run)',
    details: "With 2 or more, a metric regresses only when its change also exceeds the spread between the saved runs' medians; see [gates.md](gates.md#history-baselines-that-know-their-noise).",
  },
  { kind: 'switch', name: '--confirm', group: 'gate', default: 'on when CI=true', help: 'after a failed comparison run the candidate once more; fail only on regressions the second comparison finds again', set: (o) => (o.confirm = true) },
  { kind: 'switch', name: '--no-confirm', group: 'gate', help: 'never run a second comparison (also under CI=true)', set: (o) => (o.confirm = false) },
  { kind: 'switch', name: '--ci', group: 'gate', help: 'no progress bar, compact log; on when CI=true', set: (o) => (o.ci = true) },
  { kind: 'value', name: '--junit', placeholder: '<file>', group: 'gate', help: 'write JUnit XML, one testcase per threshold and compared metric', parse: nonEmptyValue('a file path for the JUnit XML', (o, v) => (o.junit = v)) },
  { kind: 'switch', name: '--help', aliases: ['-h'], group: 'other', help: 'print this help', set: (o) => (o.command = 'help') },
  { kind: 'switch', name: '--version', group: 'other', help: 'print the svcbench version', set: (o) => (o.command = 'version') },
]

const BY_NAME = new Map(FLAGS.flatMap((f) => [f.name, ...(f.aliases ?? [])].map((n) => [n, f] as const)))

/** How a flag is written in `--help` and docs/cli.md, e.g. `-h, --help` or `--duration <d>`. */
export function flagSynopsis(f: FlagSpec): string {
  const names = [...(f.aliases ?? []), f.name].join(', ')
  return f.kind === 'value' ? `${names} ${f.placeholder}` : names
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  return [...lines, line]
}

const HELP_COLUMN = 26
const HELP_WIDTH = 100

/** The `--help` text: usage, every flag of FLAGS by group, and every exit code of EXIT. */
export function usage(): string {
  const flagLines = (Object.keys(FLAG_GROUPS) as FlagGroup[]).flatMap((g) => [
    '',
    `${FLAG_GROUPS[g]}:`,
    ...FLAGS.filter((f) => f.group === g).flatMap((f) => {
      const left = `  ${flagSynopsis(f)}`
      const text = wrap(`${f.help}${f.default === undefined ? '' : ` (default: ${f.default})`}`, HELP_WIDTH - HELP_COLUMN)
      const first = left.length + 2 > HELP_COLUMN ? [left, ...text] : [`${left.padEnd(HELP_COLUMN)}${text.shift() as string}`, ...text]
      return first.map((l, i) => (i === 0 ? l : `${' '.repeat(HELP_COLUMN)}${l}`))
    }),
  ])
  return [
    'Usage: svcbench [run] [scenario.ts] [flags]',
    '       svcbench [run] --manifests k8s/app.yaml [flags]',
    '       svcbench report <results.json>     (re)write the reports next to a results file',
    '       svcbench report <a.json> <b.json>  compare two runs: what changed, side by side, charts overlaid',
    '       svcbench verify <scenario.ts>...   run every variant on the proxy and the kernel dataplane',
    '                                          and compare them figure by figure (exit 1: one differs)',
    '',
    'Runs a scenario (default scenarios/quickstart.ts), prints a comparison of its variants and',
    'writes reports/<scenario>/<UTC timestamp>/results.json.',
    ...flagLines,
    '',
    'Exit codes:',
    ...exitCodes().map((e) => `  ${String(e.code).padEnd(5)}${e.meaning.short}`),
  ].join('\n')
}

/** Read argv's flags into `out`; everything else is returned as positionals. */
function readFlags(argv: readonly string[], out: CliArgs, issues: ScenarioIssue[]): string[] {
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const issue: FlagIssue = (message) => issues.push({ path: flag, message })
    const spec = BY_NAME.get(flag)
    if (spec === undefined) {
      const hint = didYouMean(flag, [...BY_NAME.keys()])
      issue(`unknown flag${hint === undefined ? '' : ` (did you mean ${hint}?)`}; see --help`)
    } else if (spec.kind === 'switch') {
      if (eq > 0) issue(`takes no value; got ${JSON.stringify(arg.slice(eq + 1))}`)
      spec.set(out)
    } else {
      const value = eq > 0 ? arg.slice(eq + 1) : i + 1 < argv.length ? argv[++i] : undefined
      if (value === undefined) issue('needs a value')
      else spec.parse(value, out, issue)
    }
  }
  return positionals
}

/** Parse argv (without node and script). Throws ScenarioError listing every bad flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const issues: ScenarioIssue[] = []
  const out: CliArgs = {
    command: 'run', scenario: undefined, overrides: {}, outDir: 'reports', json: false, progress: true, manifests: undefined, manifestService: undefined, manifestPort: undefined, serviceType: undefined, faults: [], report: true, resultsFile: undefined,
    trials: undefined, baseline: undefined, saveBaseline: undefined, minChange: DEFAULT_COMPARE_OPTIONS.minChange, alpha: DEFAULT_COMPARE_OPTIONS.alpha, normalize: false, compare: undefined, ci: false, junit: undefined,
  }
  const positionals = readFlags(argv, out, issues)
  if (positionals[0] === 'run') positionals.shift()
  else if (positionals[0] === 'report') {
    positionals.shift()
    out.command = 'report'
    const files = positionals.splice(0)
    out.resultsFile = files[0]
    out.resultsFiles = files
    if (files.length === 0) issues.push({ path: 'report', message: 'needs a results file: svcbench report reports/<scenario>/<time>/results.json' })
    if (files.length > 2) issues.push({ path: 'report', message: `got ${files.length} files (${files.map((f) => JSON.stringify(f)).join(' ')}); expected one results file (write its reports again) or two (compare them): svcbench report a/results.json b/results.json` })
  } else if (positionals[0] === 'help') {
    positionals.shift()
    out.command = 'help'
  } else if (positionals[0] === 'verify') {
    positionals.shift()
    out.command = 'verify'
    const scenarios = positionals.splice(0)
    out.scenarios = scenarios
    if (scenarios.length === 0 && out.manifests === undefined) issues.push({ path: 'verify', message: 'needs a scenario file: svcbench verify scenarios/verify/split.ts (or several; or --manifests <file>)' })
    if (scenarios.length > 0 && out.manifests !== undefined) issues.push({ path: '--manifests', message: 'with svcbench verify, name the manifests in the scenario (cluster.manifests) or verify --manifests <file> alone' })
    out.scenario = scenarios[0]
  }
  if (positionals.length > 1) {
    issues.push({ path: 'arguments', message: `got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; expected at most one scenario file` })
  }
  if (out.command !== 'verify') out.scenario = positionals[0]
  issues.push(...crossIssues(out))
  if (issues.length > 0) throw new ScenarioError(issues)
  return out
}
