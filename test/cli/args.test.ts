import { describe, expect, it } from 'vitest'
import { parseArgs, usage, FLAGS, FLAG_GROUPS, flagSynopsis } from '../../harness/cli/args.ts'
import { EXIT } from '../../harness/cli/exit-codes.ts'
import { ScenarioError } from '../../harness/errors.ts'

function issuesOf(argv: string[]): string[] {
  try {
    parseArgs(argv)
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected a ScenarioError')
}

describe('parseArgs', () => {
  it('defaults to run with the default scenario', () => {
    expect(parseArgs([])).toEqual({ command: 'run', scenario: undefined, overrides: {}, outDir: 'reports', json: false, progress: true, manifests: undefined, faults: [], report: true, resultsFile: undefined, trials: undefined, baseline: undefined, saveBaseline: undefined, minChange: 0.05, alpha: 0.05, normalize: false, compare: undefined, ci: false, junit: undefined })
    expect(parseArgs(['run']).command).toBe('run')
  })
  it('takes a scenario and every override, in both flag forms', () => {
    const a = parseArgs(['run', 'scenarios/x.ts', '--duration', '3s', '--warmup=0', '--connections', '8', '--client-ips=4', '--variant', 'a', '--seed', '7', '--out', '/tmp/r', '--json', '--no-progress'])
    expect(a).toEqual({
      command: 'run',
      scenario: 'scenarios/x.ts',
      overrides: { durationMs: 3000, warmupMs: 0, connections: 8, clientIps: 4, variant: 'a', seed: 7 },
      outDir: '/tmp/r',
      json: true,
      progress: false,
      manifests: undefined,
      faults: [],
      report: true,
      resultsFile: undefined,
      trials: undefined,
      baseline: undefined,
      saveBaseline: undefined,
      minChange: 0.05,
      alpha: 0.05,
      normalize: false,
      compare: undefined,
      ci: false,
      junit: undefined,
    })
    expect(parseArgs(['--no-report']).report).toBe(false)
    expect(parseArgs(['report', 'r/results.json'])).toMatchObject({ command: 'report', resultsFile: 'r/results.json' })
    expect(issuesOf(['report'])[0]).toMatch(/^report: needs a results file/)
    expect(parseArgs(['--manifests', 'k8s/app.yaml']).manifests).toBe('k8s/app.yaml')
  })
  it('takes the gate flags', () => {
    expect(parseArgs(['--baseline', 'main', '--save-baseline=next.1', '--trials', '7', '--min-change', '3%', '--alpha=0.01', '--normalize', '--compare', 'requests.rps, latency.p99', '--ci', '--junit', 'out/j.xml'])).toMatchObject({
      baseline: 'main', saveBaseline: 'next.1', trials: 7, minChange: 0.03, alpha: 0.01, normalize: true, compare: ['requests.rps', 'latency.p99'], ci: true, junit: 'out/j.xml',
    })
    expect(parseArgs(['--min-change', '0.1']).minChange).toBe(0.1)
    expect(issuesOf(['--baseline', '../x', '--trials', '0', '--min-change', '150%', '--alpha', '0', '--compare', ',', '--junit='])).toEqual([
      '--baseline: got "../x"; expected a name of letters, digits, ".", "-" and "_" (it becomes reports/baselines/<name>.json)',
      '--trials: got "0"; expected an integer from 1 to 100',
      '--min-change: got "150%"; expected a fraction from 0 to 1 or a percentage, e.g. 5% or 0.05',
      '--alpha: got 0; expected more than 0 (nothing could ever be significant)',
      '--compare: got ","; expected metric paths separated by commas, e.g. requests.rps,latency.p99',
      '--junit: got ""; expected a file path for the JUnit XML',
    ])
  })
  it('treats a bare number of --duration as milliseconds', () => {
    expect(parseArgs(['--duration', '1500']).overrides.durationMs).toBe(1500)
  })
  it('reports every bad flag at once with the value and what is expected', () => {
    expect(issuesOf(['--duration', '3 s', '--connections', '0', '--client-ips', 'many', '--durration', '1s', '--seed'])).toEqual([
      '--duration: got "3 s"; expected a duration such as 10s, 500ms, 2m',
      '--connections: got "0"; expected an integer from 1 to 10000',
      '--client-ips: got "many"; expected an integer from 1 to 32000',
      '--durration: unknown flag (did you mean --duration?); see --help',
      '--seed: needs a value',
    ])
  })
  it('refuses two scenario files', () => {
    expect(issuesOf(['a.ts', 'b.ts'])[0]).toMatch(/^arguments: got "a.ts" "b.ts"; expected at most one scenario file/)
  })
  it('takes repeated --fault specs and reports malformed ones', () => {
    expect(parseArgs(['--fault', '5s:kill-pod:pod-2', '--fault=3s:slow-pod:random:200', '--fault', '4s:fail-pod:node=node-b:0.5']).faults).toEqual([
      { at: '5s', action: 'kill-pod', target: 'pod-2' },
      { at: '3s', action: 'slow-pod', target: 'random', latencyMs: 200 },
      { at: '4s', action: 'fail-pod', target: { node: 'node-b' }, errorRate: 0.5 },
    ])
    expect(issuesOf(['--fault', 'kill-pod'])[0]).toMatch(/^--fault: got "kill-pod"; expected <at>:<action>:<target>\[:<value>\]/)
  })
  it('knows help and version', () => {
    expect(parseArgs(['--help']).command).toBe('help')
    expect(parseArgs(['-h']).command).toBe('help')
    expect(parseArgs(['--version']).command).toBe('version')
  })
})

describe('usage', () => {
  it('lists every flag of FLAGS with its value and default, by group', () => {
    const text = usage()
    for (const f of FLAGS) {
      expect(text).toContain(`  ${flagSynopsis(f)}`)
      if (f.default !== undefined) expect(text.replace(/\s+/g, ' ')).toContain(`(default: ${f.default})`)
    }
    for (const heading of Object.values(FLAG_GROUPS)) expect(text).toContain(`\n${heading}:\n`)
    expect(text).toContain('  -h, --help ')
    expect(text).toContain('  --fault <spec> ')
  })
  it('lists every exit code of EXIT with its meaning', () => {
    const lines = usage().split('\n')
    const at = lines.indexOf('Exit codes:')
    expect(at).toBeGreaterThan(0)
    expect(lines.slice(at + 1)).toEqual([
      '  0    ok',
      '  1    gate failed (a threshold, a baseline regression or an abortOnFail stop)',
      '  2    bad input (scenario, flags, environment)',
      '  3    harness failure',
      '  130  interrupted',
    ])
    expect(Object.values(EXIT).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 130])
  })
})

describe('parseArgs from FLAGS', () => {
  it('knows every flag of FLAGS and refuses a value on a switch', () => {
    for (const f of FLAGS) {
      for (const name of [f.name, ...(f.aliases ?? [])]) {
        if (f.kind === 'switch') expect(() => parseArgs([name])).not.toThrow()
        else expect(issuesOf([name])).toEqual([`${name}: needs a value`])
      }
    }
    expect(issuesOf(['--json=yes', '-h=1'])).toEqual(['--json: takes no value; got "yes"', '-h: takes no value; got "1"'])
  })
  it('takes --service, --port and --service-type for manifests, and refuses another service type', () => {
    expect(parseArgs(['--manifests', 'app.yaml', '--service', 'web', '--port=metrics', '--service-type', 'NodePort'])).toMatchObject({ manifests: 'app.yaml', manifestService: 'web', manifestPort: 'metrics', serviceType: 'NodePort' })
    expect(() => parseArgs(['--service-type', 'ClusterIP'])).toThrow('--service-type: got "ClusterIP"; expected NodePort or LoadBalancer')
  })
  it('keeps the defaults of the gate options in one place', () => {
    expect(parseArgs([])).toMatchObject({ minChange: 0.05, alpha: 0.05 })
    expect(FLAGS.find((f) => f.name === '--compare')?.default).toBe('requests.rps, latency.p50, latency.p99, errors.rate, fairness.jain, failover.totalRequestsLost, failover.maxDetectionSec')
  })
})

describe('parseArgs: --pair, --pairs, --baseline-runs, --confirm', () => {
  it('takes the pair (baseline first), the number of pairs, the history length and confirm on or off', () => {
    expect(parseArgs(['--pair', 'main,pr', '--pairs', '8', '--confirm'])).toMatchObject({ pair: ['main', 'pr'], pairs: 8, confirm: true })
    expect(parseArgs(['--pair=main, pr']).pair).toEqual(['main', 'pr'])
    expect(parseArgs(['--save-baseline', 'main', '--baseline-runs', '3', '--no-confirm'])).toMatchObject({ baselineRuns: 3, confirm: false })
    const none = parseArgs([])
    expect([none.pair, none.pairs, none.baselineRuns, none.confirm]).toEqual([undefined, undefined, undefined, undefined])
  })
  it('refuses a pair of one name, the same name twice, and flags that do not go with it, naming each flag', () => {
    expect(issuesOf(['--pair', 'main'])).toEqual(['--pair: got "main"; expected two variants of the scenario, baseline first: --pair main,candidate'])
    expect(issuesOf(['--pair', 'a,b,c'])[0]).toMatch(/^--pair: got "a,b,c"; expected two variants/)
    expect(issuesOf(['--pair', 'main,main'])).toEqual(['--pair: got "main,main"; expected two different variants (the baseline, then the candidate)'])
    expect(issuesOf(['--pair', 'a,b', '--trials', '5', '--baseline', 'main', '--variant', 'a'])).toEqual([
      '--trials: does not apply with --pair; set the number of pairs with --pairs',
      "--pair: cannot be combined with --baseline: under --pair the baseline is the pair's first variant, run in the same job",
      '--variant: cannot be combined with --pair, which names the two variants that run',
    ])
    expect(issuesOf(['--pairs', '6'])).toEqual(['--pairs: only with --pair <baseline>,<candidate>'])
    expect(issuesOf(['--pair', 'a,b', '--pairs', '0'])).toEqual(['--pairs: got "0"; expected an integer from 1 to 100'])
    expect(issuesOf(['--baseline-runs', '3'])).toEqual(['--baseline-runs: only with --save-baseline <name> (it says how many saved runs the file keeps)'])
  })
})

describe('parseArgs: verify', () => {
  it('takes one scenario file or several, and the run overrides', () => {
    const a = parseArgs(['verify', 'scenarios/verify/split.ts', 'scenarios/verify/faults.ts', '--duration', '1s', '--variant', 'x', '--no-report'])
    expect([a.command, a.scenario, a.scenarios, a.overrides, a.report]).toEqual(['verify', 'scenarios/verify/split.ts', ['scenarios/verify/split.ts', 'scenarios/verify/faults.ts'], { durationMs: 1000, variant: 'x' }, false])
    expect(parseArgs(['verify', '--manifests', 'k8s.yaml']).scenarios).toEqual([])
  })

  it('needs a scenario, and refuses the gate\'s flags', () => {
    expect(issuesOf(['verify'])).toEqual(['verify: needs a scenario file: svcbench verify scenarios/verify/split.ts (or several; or --manifests <file>)'])
    expect(issuesOf(['verify', 'a.ts', '--baseline', 'main', '--trials', '3'])).toEqual([
      '--baseline: does not apply to svcbench verify, which runs every variant once on each dataplane and compares the two (exit 1 when a figure differs)',
      '--trials: does not apply to svcbench verify, which runs every variant once on each dataplane and compares the two (exit 1 when a figure differs)',
    ])
    expect(issuesOf(['verify', 'a.ts', '--manifests', 'k8s.yaml'])[0]).toMatch(/^--manifests: with svcbench verify/)
  })

  it('is in the usage', () => {
    expect(usage()).toContain('svcbench verify <scenario.ts>...')
  })
})
