import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { deepMerge } from '../../harness/util/merge.ts'
import { parseDurationMs, formatDurationMs } from '../../harness/util/duration.ts'
import { ScenarioError } from '../../harness/errors.ts'
import { defineScenario } from '../../harness/index.ts'

function issuesOf(input: unknown, overrides = {}): string[] {
  try {
    resolveScenario(input, { file: 'x.ts', overrides })
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected a ScenarioError')
}

describe('parseDurationMs', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m', 120_000],
    [250, 250],
    ['0s', 0],
  ])('%j → %d ms', (input, ms) => expect(parseDurationMs(input)).toBe(ms))
  it.each(['10', '10 s', 's', '-1s', '1h', '', null, -5, Infinity])('rejects %j', (input) => expect(parseDurationMs(input)).toBeUndefined())
  it('formats back', () => {
    expect(formatDurationMs(500)).toBe('500ms')
    expect(formatDurationMs(2000)).toBe('2s')
    expect(formatDurationMs(120_000)).toBe('2m')
  })
})

describe('resolveScenario', () => {
  it('fills every default for a minimal scenario', () => {
    const r = resolveScenario({ name: 'min' })
    expect(r.seed).toBe(1)
    expect(r.variants).toHaveLength(1)
    const v = r.variants[0]!
    expect(v.name).toBe('default')
    expect(v.cluster.nodes.map((n) => [n.name, n.pods, n.podSpecs.map((p) => p.weight)])).toEqual([
      ['node-a', 2, [1, 1]],
      ['node-b', 2, [1, 1]],
      ['node-c', 2, [1, 1]],
    ])
    expect(v.service).toEqual({
      dataplane: 'proxy',
      protocol: 'TCP',
      udpConntrackCleanup: 'kube-proxy',
      type: 'NodePort',
      nodePort: 30080,
      port: 80,
      healthCheckNodePort: 32000,
      loadBalancer: null,
      proxyMode: 'iptables',
      ipvsScheduler: null,
      ipvsFlags: [],
      ipvsTimeouts: { tcpMs: 900_000, tcpFinMs: 120_000, udpMs: 300_000 },
      algorithm: 'random',
      balancer: null,
      balancing: 'connection',
      sessionAffinity: 'None',
      sessionAffinityTimeoutSeconds: 10_800,
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      masqueradeAll: false,
    })
    expect(v.cluster.network).toEqual({ hopLatencyMs: 0 })
    expect(v.load).toEqual({ durationMs: 10_000, warmupMs: 2_000, connections: 50, clientIps: 64, keepAlive: true, connectionLifetimeMs: 0, path: '/', from: 'external', clientNodes: [], clientPods: 'separate', via: ['node-a', 'node-b', 'node-c'], requestTimeoutMs: 10_000, model: 'closed', startRps: 0, stages: [], arrival: 'constant', maxConnections: 1000, udpSourcePort: 'per-query', udpQueryBytes: 64 })
    expect(v.cluster.conntrack).toEqual({ udpTimeoutMs: 30_000, udpStreamTimeoutMs: 120_000 })
    expect(v.cluster.pod).toEqual({ latency: { dist: 'constant', meanMs: 1, p99Ms: 1 }, responseBytes: 128, errorRate: 0 })
  })
  it('spreads replicas round-robin over nodes, remainder first', () => {
    const v = resolveScenario({ name: 'x', cluster: { nodes: 3, replicas: 7 } }).variants[0]!
    expect(v.cluster.nodes.map((n) => n.pods)).toEqual([3, 2, 2])
  })
  it('takes explicit placement', () => {
    const v = resolveScenario({ name: 'x', cluster: { nodes: [{ name: 'big', pods: 2 }, { name: 'small', pods: 1 }] } }).variants[0]!
    expect(v.cluster.replicas).toBe(3)
    expect(v.cluster.nodes.map((n) => [n.name, n.pods])).toEqual([['big', 2], ['small', 1]])
  })
  it('applies variants as deep-partial overrides and CLI overrides last', () => {
    const r = resolveScenario(
      defineScenario({
        name: 'x',
        load: { duration: '10s', connections: 8 },
        variants: { a: { service: { balancer: 'ip-hash' } }, b: { load: { connections: 4 } } },
      }),
      { overrides: { durationMs: 3000, seed: 9 } },
    )
    expect(r.seed).toBe(9)
    expect(r.variants.map((v) => [v.name, v.service.algorithm, v.load.connections, v.load.durationMs])).toEqual([
      ['a', 'ip-hash', 8, 3000],
      ['b', 'random', 4, 3000],
    ])
  })
  it('selects one variant with --variant, and names the choices when it is unknown', () => {
    const s = { name: 'x', variants: { a: {}, b: {} } }
    expect(resolveScenario(s, { overrides: { variant: 'b' } }).variants.map((v) => v.name)).toEqual(['b'])
    expect(issuesOf(s, { variant: 'c' })).toEqual(['--variant: got "c"; expected one of "a", "b"'])
  })
  it('checks warm-up + duration again after --duration and --warmup (a run stops by itself within 1h)', () => {
    expect(issuesOf({ name: 'x', load: { warmup: '2s' } }, { durationMs: 3_600_000 })).toEqual([
      '--duration: warm-up + duration is 3602000ms with --duration 3600000ms; expected at most 3600000ms (1h) so that every run stops by itself',
    ])
    expect(issuesOf({ name: 'x', load: { duration: '10s' } }, { warmupMs: 3_595_000 })).toEqual([
      '--warmup: warm-up + duration is 3605000ms with --warmup 3595000ms; expected at most 3600000ms (1h) so that every run stops by itself',
    ])
    expect(issuesOf({ name: 'x', variants: { a: {}, b: { load: { warmup: '1m' } } } }, { durationMs: 3_570_000 })).toEqual([
      'variants.b: --duration: warm-up + duration is 3630000ms with --duration 3570000ms; expected at most 3600000ms (1h) so that every run stops by itself',
    ])
    expect(resolveScenario({ name: 'x' }, { overrides: { durationMs: 3_598_000 } }).variants[0]!.load.durationMs).toBe(3_598_000)
  })
  it('resolves latency distributions', () => {
    const lat = (l: unknown) => resolveScenario({ name: 'x', cluster: { pod: { latencyMs: l } } }).variants[0]!.cluster.pod.latency
    expect(lat(2)).toEqual({ dist: 'constant', meanMs: 2, p99Ms: 2 })
    expect(lat({ dist: 'exponential', meanMs: 1 }).p99Ms).toBeCloseTo(Math.log(100), 9)
    expect(lat({ dist: 'lognormal', meanMs: 1, p99Ms: 5 })).toEqual({ dist: 'lognormal', meanMs: 1, p99Ms: 5 })
    expect(lat({ dist: 'lognormal', meanMs: 2 }).p99Ms).toBe(6)
  })
  it('warns (does not refuse) for ip-hash with one client address and for unused client addresses', () => {
    const r = resolveScenario({ name: 'x', service: { balancer: 'ip-hash' }, load: { clientIps: 1 } })
    expect(r.warnings.join('\n')).toMatch(/single client address/)
    const r2 = resolveScenario({ name: 'x', load: { clientIps: 64, connections: 50 } })
    expect(r2.warnings.join('\n')).toMatch(/only 50 client addresses are used/)
  })

  it('reports every problem at once, each with its path, the bad value and what is expected', () => {
    const issues = issuesOf({
      name: 'Bad Name',
      servce: {},
      cluster: { nodes: [{ name: 'a', pods: 2 }, { name: 'a', pods: -1 }], pod: { latencyMs: { dist: 'lognormal', meanMs: 1, p99Ms: 100 } } },
      service: { balancer: 'ip_hash', nodePort: 80, balancing: 'per-request' },
      load: { duration: '10 s', connections: 1.5, via: 'some-nodes', keepAlive: 'yes' },
    })
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: got "Bad Name"; expected lowercase/),
        expect.stringMatching(/^servce: unknown field \(did you mean "service"\?\)/),
        expect.stringMatching(/^cluster\.nodes\[1\]\.pods: got -1; expected an integer from 0 to 1000/),
        expect.stringMatching(/^service\.balancer: got "ip_hash"; expected one of "round-robin", "random", "ip-hash", "least-conn" \(did you mean "ip-hash"\?\)/),
        expect.stringMatching(/^service\.nodePort: got 80; expected an integer from 30000 to 32767/),
        expect.stringMatching(/^service\.balancing: got "per-request"; expected one of "connection", "request"/),
        expect.stringMatching(/^load\.duration: got "10 s"; expected a duration/),
        expect.stringMatching(/^load\.connections: got 1\.5; expected an integer/),
        expect.stringMatching(/^load\.via: got "some-nodes"/),
        expect.stringMatching(/^load\.keepAlive: got "yes"; expected boolean/),
        expect.stringMatching(/^cluster\.pod\.latencyMs\.p99Ms: got 100; a lognormal/),
      ]),
    )
    expect(issues.length).toBeGreaterThanOrEqual(11)
  })
  it('reports a missing name and a non-object scenario', () => {
    expect(issuesOf({})).toEqual(['name: required field is missing; expected string, received undefined'])
    expect(issuesOf(42)[0]).toMatch(/^\(scenario\): got 42; expected object/)
  })
  it('reports unknown nested fields with a hint', () => {
    expect(issuesOf({ name: 'x', load: { duraton: '1s' } })).toEqual([
      'load.duraton: unknown field (did you mean "duration"?); expected one of duration, warmup, connections, clientIps, keepAlive, connectionLifetime, path, from, clientNodes, clientPods, via, requestTimeout, rate, arrival, stages, maxConnections, udpSourcePort, udpQueryBytes',
    ])
  })
  it('reports replicas that disagree with explicit placement and duplicate node names', () => {
    const issues = issuesOf({ name: 'x', cluster: { nodes: [{ name: 'a', pods: 1 }, { name: 'a', pods: 1 }], replicas: 5 } })
    expect(issues).toEqual([
      'cluster.nodes[1].name: got "a"; node names must be unique',
      'cluster.replicas: got 5; cluster.nodes places 2 pods; drop replicas or make the two agree',
    ])
  })
  it('reports what a variant override gets wrong under variants.<name>, base problems once', () => {
    const issues = issuesOf({
      name: 'x',
      service: { balancer: 'nope' },
      variants: { good: { load: { connections: 2 } }, bad: { service: { balancing: 'l7' }, load: { typo: 1 } }, 'Bad Name': {} },
    })
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service\.balancer: got "nope"/),
        expect.stringMatching(/^variants\.bad\.service\.balancing: got "l7"/),
        expect.stringMatching(/^variants\.bad\.load\.typo: unknown field/),
        expect.stringMatching(/^variants\.Bad Name: variant name "Bad Name" is not allowed/),
      ]),
    )
    expect(issues.filter((i) => i.includes('"nope"'))).toHaveLength(1)
  })
  it('refuses a run that would not stop within an hour', () => {
    expect(issuesOf({ name: 'x', load: { duration: '70m' } })[0]).toMatch(/^load\.duration: warm-up \+ duration is/)
  })
  it('resolves a LoadBalancer from its preset and overrides; LB fields on a NodePort are errors', () => {
    const s = resolveScenario({ name: 'x', service: { type: 'LoadBalancer', loadBalancer: { preset: 'aws-clb', healthCheck: { intervalSeconds: 2 } } } }).variants[0]!.service
    expect([s.type, s.port, s.healthCheckNodePort]).toEqual(['LoadBalancer', 80, 32000])
    expect(s.loadBalancer).toEqual({
      preset: 'aws-clb',
      algorithm: 'round-robin',
      healthCheck: { intervalSeconds: 2, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 6 },
      allUnhealthy: 'refuse',
      preserveClientIp: false,
      leaderFailoverSeconds: 0,
      tls: false,
    })
    const metallb = resolveScenario({ name: 'x', service: { type: 'LoadBalancer', loadBalancer: { preset: 'metallb-l2', leaderFailoverSeconds: 3 } } }).variants[0]!.service.loadBalancer!
    expect([metallb.algorithm, metallb.healthCheck.intervalSeconds, metallb.healthCheck.unhealthyThreshold]).toEqual(['leader', 1, 3])
    expect(issuesOf({ name: 'x', service: { port: 8080, loadBalancer: {} } })).toEqual([
      'service.port: only applies to type "LoadBalancer" (got type "NodePort")',
      'service.loadBalancer: only applies to type "LoadBalancer" (got type "NodePort")',
    ])
  })

  it.each([
    // The AWS Load Balancer Controller's defaults (pkg/service/model_builder.go): TCP on the traffic
    // port 10 s / 10 s / 3 / 3; under Local, HTTP /healthz on healthCheckNodePort 10 s / 6 s / 2 / 2.
    ['aws-nlb', 'Cluster', {}, { intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 }],
    ['aws-nlb', 'Local', {}, { intervalSeconds: 10, timeoutSeconds: 6, healthyThreshold: 2, unhealthyThreshold: 2 }],
    ['aws-nlb', 'Local', { unhealthyThreshold: 4 }, { intervalSeconds: 10, timeoutSeconds: 6, healthyThreshold: 2, unhealthyThreshold: 4 }],
    ['gcp-l4', 'Local', {}, { intervalSeconds: 8, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 3 }],
  ] as const)('%s under externalTrafficPolicy %s, overrides %j: health check %j', (preset, etp, overrides, expected) => {
    const s = resolveScenario({ name: 'x', service: { type: 'LoadBalancer', externalTrafficPolicy: etp, loadBalancer: { preset, healthCheck: overrides } } }).variants[0]!.service
    expect(s.loadBalancer!.healthCheck).toEqual(expected)
  })
})

describe('deepMerge', () => {
  it('merges objects and replaces arrays and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 2 })
  })
})

describe('resolveScenario: kube-proxy configuration', () => {
  const svc = (service: unknown) => resolveScenario({ name: 'x', service }).variants[0]!.service
  it.each([
    [{ balancer: 'round-robin' }, 'ipvs', 'rr', 'round-robin'],
    [{ balancer: 'ip-hash' }, 'ipvs', 'sh', 'ip-hash'],
    [{ balancer: 'random' }, 'iptables', null, 'random'],
    [{ balancer: 'least-conn' }, 'ipvs', 'lc', 'least-conn'],
    [{}, 'iptables', null, 'random'],
    [{ proxyMode: 'nftables' }, 'nftables', null, 'nftables'],
    [{ proxyMode: 'ipvs' }, 'ipvs', 'rr', 'round-robin'],
    [{ ipvsScheduler: 'mh' }, 'ipvs', 'mh', 'maglev'],
    [{ proxyMode: 'ipvs', ipvsScheduler: 'wlc' }, 'ipvs', 'wlc', 'weighted-least-conn'],
    [{ proxyMode: 'userspace' }, 'userspace', null, 'userspace'],
  ])('%j → %s/%s (%s)', (service, mode, scheduler, algorithm) => {
    const s = svc(service)
    expect([s.proxyMode, s.ipvsScheduler, s.algorithm]).toEqual([mode, scheduler, algorithm])
  })
  it('takes kube-proxy\'s IPVS timeouts (service.ipvs), 0 keeping the kernel\'s; only in ipvs mode', () => {
    expect(svc({ proxyMode: 'ipvs', ipvs: { tcpFinTimeout: '30s', tcpTimeout: 0 } }).ipvsTimeouts).toEqual({ tcpMs: 900_000, tcpFinMs: 30_000, udpMs: 300_000 })
    expect(svc({ ipvsScheduler: 'lc', ipvs: { udpTimeout: '1m' } }).ipvsTimeouts.udpMs).toBe(60_000)
    // tcpTimeout and udpTimeout change nothing svcbench models: a warning says so; tcpFinTimeout alone does not warn.
    expect(resolveScenario({ name: 'x', service: { proxyMode: 'ipvs', ipvs: { tcpTimeout: '60s' } } }).warnings.join('\n')).toMatch(/tcpTimeout and udpTimeout are recorded only/)
    expect(resolveScenario({ name: 'x', service: { proxyMode: 'ipvs', ipvs: { tcpFinTimeout: '60s' } } }).warnings.join('\n')).not.toMatch(/tcpTimeout/)
    expect(issuesOf({ name: 'x', service: { proxyMode: 'iptables', ipvs: { tcpFinTimeout: '30s' } } })).toEqual([
      'service.ipvs: got {"tcpFinTimeout":"30s"}; IPVS timeouts need proxyMode "ipvs" (got "iptables")',
    ])
  })
  it('reports conflicting and misplaced kube-proxy settings', () => {
    expect(issuesOf({ name: 'x', service: { balancer: 'ip-hash', proxyMode: 'iptables' } })).toEqual([
      'service.proxyMode: got "iptables"; balancer "ip-hash" means proxyMode "ipvs"; drop one of the two',
    ])
    expect(issuesOf({ name: 'x', service: { proxyMode: 'iptables', ipvsScheduler: 'sh' } })).toEqual([
      'service.ipvsScheduler: got "sh"; an IPVS scheduler needs proxyMode "ipvs" (got "iptables")',
    ])
    expect(issuesOf({ name: 'x', service: { ipvsScheduler: 'rr', ipvsFlags: ['sh-port'] } })).toEqual([
      'service.ipvsFlags[0]: got "sh-port"; this flag needs ipvsScheduler "sh" (got "rr")',
    ])
    expect(svc({ sessionAffinityTimeoutSeconds: 5 }).sessionAffinity).toBe('None') // kept, unused without ClientIP
    expect(issuesOf({ name: 'x', service: { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 90000 } })[0]).toMatch(
      /^service\.sessionAffinityTimeoutSeconds: got 90000; expected an integer from 1 to 86400/,
    )
  })
  it('takes ClientIP affinity with the Kubernetes default timeout', () => {
    expect(svc({ sessionAffinity: 'ClientIP' }).sessionAffinityTimeoutSeconds).toBe(10800)
  })
  it('resolves per-pod settings in explicit placement', () => {
    const v = resolveScenario({
      name: 'x',
      cluster: { pod: { latencyMs: 1 }, nodes: [{ name: 'a', pods: [{ weight: 3 }, { latencyMs: 20, errorRate: 0.1 }] }, { name: 'b', pods: 1 }] },
    }).variants[0]!
    expect(v.cluster.nodes[0]!.podSpecs.map((p) => [p.weight, p.latency.meanMs, p.errorRate])).toEqual([[3, 1, 0], [1, 20, 0.1]])
    expect(v.cluster.nodes[1]!.podSpecs.map((p) => p.weight)).toEqual([1])
  })
  it('takes load.via as node names and reports unknown ones', () => {
    const v = resolveScenario({ name: 'x', cluster: { nodes: 3 }, load: { via: ['node-b'] } }).variants[0]!
    expect(v.load.via).toEqual(['node-b'])
    expect(resolveScenario({ name: 'x', load: { via: 'one-node' } }).variants[0]!.load.via).toEqual(['node-a'])
    expect(issuesOf({ name: 'x', load: { via: ['node-d', 'nod-a'] } })).toEqual([
      'load.via[0]: got "node-d"; no such node; expected one of "node-a", "node-b", "node-c" (did you mean "node-a"?)',
      'load.via[1]: got "nod-a"; no such node; expected one of "node-a", "node-b", "node-c" (did you mean "node-a"?)',
    ])
  })
  it('refuses a sub-millisecond hop delay it could not realise', () => {
    expect(issuesOf({ name: 'x', cluster: { network: { hopLatencyMs: 0.2 } } })[0]).toMatch(/^cluster\.network\.hopLatencyMs: got 0\.2; expected 0 or at least 1/)
    expect(resolveScenario({ name: 'x', cluster: { network: { hopLatencyMs: 2 } } }).variants[0]!.cluster.network.hopLatencyMs).toBe(2)
  })
  it('warns when Local leaves a receiving node without pods', () => {
    const r = resolveScenario({ name: 'x', service: { externalTrafficPolicy: 'Local' }, cluster: { nodes: [{ name: 'a', pods: 1 }, { name: 'b', pods: 0 }] } })
    expect(r.warnings.join('\n')).toMatch(/b receives clients but runs no pod, so those connections are dropped/)
  })
})

describe('resolveScenario: faults', () => {
  const base = { name: 'x', cluster: { nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 1 }] }, load: { duration: '10s' } }
  it('keeps free pod slots for rolling updates (one new pod per pod) and scale-ups', () => {
    const v = resolveScenario({
      ...base,
      faults: [
        { at: '1s', action: 'scale', target: 'all', replicas: 5 },
        { at: '2s', action: 'rolling-update', target: 'all' },
      ],
    }).variants[0]!
    expect(v.cluster.spareSlots).toBe(2 + 5)
  })
  it('resolves targets to pods: a name, { node }, and a seeded random pick', () => {
    const faults = resolveScenario({
      ...base,
      faults: [
        { at: '3s', action: 'fail-pod', target: { node: 'node-a' }, errorRate: 0.5 },
        { at: '1s', action: 'kill-pod', target: 'pod-2' },
        { at: '2s', action: 'slow-pod', target: 'random', latencyMs: 200 },
      ],
    }).variants[0]!.faults
    expect(faults.map((f) => [f.atMs, f.action, f.target, f.pods])).toEqual([
      [1000, 'kill-pod', 'pod-2', ['pod-2']],
      [2000, 'slow-pod', 'random', faults[1]!.pods],
      [3000, 'fail-pod', 'node:node-a', ['pod-1', 'pod-3']],
    ])
    expect(faults[1]!.pods).toHaveLength(1)
    const again = resolveScenario({ ...base, faults: [{ at: '2s', action: 'slow-pod', target: 'random', latencyMs: 200 }] }).variants[0]!.faults
    expect(again[0]!.pods).toEqual(faults[1]!.pods)
  })
  it('reports bad faults: unknown pod, a bad rolling update, misplaced values, outside the measured phase', () => {
    const issues = issuesOf({
      ...base,
      faults: [
        { at: '1s', action: 'kill-pod', target: 'pod-9' },
        { at: '1s', action: 'rolling-update', target: 'pod-1', maxSurge: 0 },
        { at: '1s', action: 'kill-pod', target: 'pod-1', latencyMs: 5 },
        { at: '1s', action: 'slow-pod', target: 'pod-1' },
        { at: '12s', action: 'kill-pod', target: 'pod-1' },
      ],
    })
    expect(issues).toEqual([
      'faults[0].target: got "pod-9"; no such pod; expected one of "pod-1", "pod-2", "pod-3", "random" or { node } (did you mean "pod-1"?)',
      'faults[1].target: got "pod-1"; rolling-update applies to the whole Deployment: expected "all"',
      'faults[1].maxSurge: maxSurge and maxUnavailable are both 0; expected at least one of them above 0 (as Kubernetes requires)',
      'faults[2].latencyMs: only applies to "slow-pod" (got action "kill-pod")',
      'faults[3].latencyMs: required field is missing; "slow-pod" needs latencyMs (the added latency)',
      'faults (kill-pod pod-1): at 12000ms is not inside the measured phase; expected a time before load.duration (10000ms)',
    ])
  })
})
