import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readManifests, type ReadManifestsOptions } from '../../harness/scenario/manifests.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (p: string) => path.join(root, 'test/fixtures/manifests', p)
const read = (f: string, opts: ReadManifestsOptions = {}) => readManifests(fixture(f), { shown: f, ...opts })

function refusal(f: () => unknown): ScenarioError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return e as ScenarioError
  }
  throw new Error('expected a ScenarioError')
}

describe('readManifests inputs', () => {
  it.each([
    ['kustomize', /kustomize\/kustomization\.yaml: a kustomization is not rendered by svcbench; render it first: kubectl kustomize kustomize > app\.yaml/],
    ['kustomize/kustomization.yaml', /render it first: kubectl kustomize kustomize > app\.yaml, then --manifests app\.yaml/],
    ['helm', /helm\/Chart\.yaml: a Helm chart is not rendered by svcbench; render it first: helm template RELEASE helm > app\.yaml/],
    ['helm/templates/service.yaml', /looks like a Helm template .*helm template RELEASE helm > app\.yaml/],
  ])('%s exits 2 with the command that renders it', (f, message) => {
    const e = refusal(() => read(f))
    expect(e.issues).toHaveLength(1)
    expect(e.message).toMatch(message)
  })
  it('reads every .yaml, .yml and .json of a folder, sorted, and runs a DaemonSet pod on each node', () => {
    const m = read('folder', { nodes: 4 })
    // StatefulSet 2 + DaemonSet on 4 nodes + one bare Pod; README.txt is not read.
    expect(m.fields.cluster).toEqual({ replicas: 7, pod: { port: 8080 } })
    expect(m.warnings.join('\n')).toMatch(/folder\/a-service\.yaml: Service\/edge: selects 3 workloads \(StatefulSet\/edge-sts, DaemonSet\/edge-ds, Pod\/edge-debug\)/)
    expect(m.notes).toContain('folder/b-workloads.yml: DaemonSet/edge-ds: a DaemonSet runs one pod on each of the 4 nodes')
  })
  it('unwraps kind: List in JSON, reads ReplicaSets and ReplicationControllers, and takes the preset from loadBalancerClass', () => {
    const m = read('list.json')
    expect(m.fields).toEqual({ cluster: { replicas: 3, pod: { port: 8080 } }, service: { type: 'LoadBalancer', port: 8080 } })
    expect(m.preset).toEqual({ preset: 'aws-nlb', source: 'spec.loadBalancerClass service.k8s.aws/nlb' })
  })
  it('carries the warnings found before an error with it', () => {
    const e = refusal(() => read('list-no-service.yaml'))
    expect(e.message).toMatch(/no Service; expected a Service .* \(kubectl expose deployment worker --type=NodePort/)
    expect(e.warnings).toEqual(['list-no-service.yaml: ConfigMap/settings: kind ConfigMap is not modeled by svcbench, ignored'])
  })
})

describe('readManifests picks', () => {
  it('picks the only exposed Service of several (a note says so), groups skipped kinds, counts an HPA\'s minReplicas', () => {
    const m = read('multi-service.yaml')
    expect(m.fields).toEqual({ cluster: { replicas: 3, pod: { port: 8080 } }, service: { type: 'NodePort', nodePort: 30111 } })
    expect(m.notes[0]).toMatch(/^multi-service\.yaml: Service\/web: picked, the only NodePort or LoadBalancer Service of 3; --service NAME/)
    expect(m.notes).toContain('multi-service.yaml: Deployment/web: 3 replicas (no spec.replicas; HorizontalPodAutoscaler/web keeps it from 3 to 10)')
    expect(m.warnings).toContain('multi-service.yaml: 3 × kind ClusterRole (reader, writer, admin): kind ClusterRole is not modeled by svcbench, ignored')
    expect(m.warnings).toContain('multi-service.yaml: 2 × kind Job (migrate, seed): kind Job is not modeled by svcbench, ignored')
    expect(m.warnings.filter((w) => /ClusterRole|Job/.test(w))).toHaveLength(2)
  })
  it('takes --port by name or number, and the first port otherwise', () => {
    expect(read('multi-service.yaml', { port: 'metrics' }).fields.cluster).toEqual({ replicas: 3, pod: { port: 9100 } })
    expect(read('multi-service.yaml', { port: '9100' }).fields.cluster).toEqual({ replicas: 3, pod: { port: 9100 } })
    expect(refusal(() => read('multi-service.yaml', { port: 'grpc' })).message).toMatch(/--port: got "grpc"; Service\/web has no port of that name or number; expected one of http \(80\), metrics \(9100\)/)
  })
  it('lists the Services with their types and the flag when none can be picked alone', () => {
    expect(refusal(() => read('two-exposed.yaml')).message).toBe('two-exposed.yaml: 2 Services and 2 are NodePort or LoadBalancer: shop (LoadBalancer), admin (NodePort); pick one with --service NAME (or cluster.manifests: { file, service } in a scenario)')
    expect(read('two-exposed.yaml', { service: 'admin' }).fields).toEqual({ cluster: { replicas: 1, pod: { port: 8080 } }, service: { type: 'NodePort' } })
    expect(refusal(() => read('two-exposed.yaml', { service: 'nope' })).message).toMatch(/--service: got "nope"; .*expected one of shop \(LoadBalancer\), admin \(NodePort\)/)
  })
  it('runs a ClusterIP Service with in-cluster clients, or as the scenario\'s type, and refuses headless and ExternalName Services', () => {
    // (Before in-cluster clients, a ClusterIP Service without service.type was refused here.)
    const own = read('cluster-ip.yaml')
    expect(own.fields.service).toEqual({ type: 'ClusterIP', port: 8080, internalTrafficPolicy: 'Local' })
    expect(own.notes).toEqual([expect.stringMatching(/^cluster-ip\.yaml: Service\/internal: type ClusterIP: its clients are pods in the cluster \(load\.from 'cluster'.*--service-type NodePort runs it exposed/)])
    const m = read('cluster-ip.yaml', { type: 'NodePort' })
    expect(m.fields.service).toEqual({ type: 'NodePort', internalTrafficPolicy: 'Local' })
    expect(m.notes).toContain('cluster-ip.yaml: Service/internal: type ClusterIP in the file; runs as NodePort (service.type from the scenario or --service-type), with clients outside the cluster')
    // An annotation svcbench does not read is warned about.
    expect(m.warnings).toEqual(['cluster-ip.yaml: Service/internal: not modeled by svcbench, ignored: metadata.annotations.meta.helm.sh/release-name'])
    expect(refusal(() => read('headless.yaml', { service: 'peers', type: 'NodePort' })).message).toMatch(/Service\/peers: spec\.clusterIP: got "None" \(a headless Service\); there is no virtual IP to balance/)
    expect(refusal(() => read('headless.yaml', { service: 'alias' })).message).toMatch(/Service\/alias: spec\.type: got "ExternalName"/)
  })
  it('refuses an SCTP port, naming it and a port to pick', () => {
    expect(refusal(() => read('udp.yaml', { port: 'sig' })).message).toMatch(/spec\.ports\[2\]\.protocol: port sig \(2905\/SCTP\) is SCTP; svcbench runs TCP and UDP Services only; --port dns picks its UDP port/)
  })
  it('runs a UDP port as a UDP Service (issue #18), and the TCP port of the same number as TCP', () => {
    expect(read('udp.yaml').fields.service).toMatchObject({ type: 'NodePort', protocol: 'UDP' })
    expect(read('udp.yaml', { port: 'dns-tcp' }).fields.service).not.toHaveProperty('protocol')
  })
})

describe('readManifests endpoints and probes', () => {
  it('makes a pod of every ready EndpointSlice endpoint, placed by nodeName', () => {
    const m = read('selectorless.yaml')
    expect(m.fields.cluster).toEqual({ replicas: 3, nodes: [{ name: 'worker-a-example', pods: 2 }, { name: 'worker-b', pods: 1 }], pod: { port: 6432 } })
    expect(m.warnings).toContain('selectorless.yaml: Service/external-db: 1 endpoint is not ready, not run: 10.0.0.4')
  })
  it('reads the addresses of Endpoints when there is no EndpointSlice', () => {
    expect(read('endpoints.yaml').fields.cluster).toEqual({ replicas: 2, pod: { port: 8081 } })
  })
  it('takes probes from the container serving the targetPort: httpGet on its own port and path, a tcpSocket startup probe', () => {
    expect(read('probes.yaml').fields.cluster).toEqual({
      replicas: 2,
      pod: { port: 8080, readinessProbe: { path: '/ready', port: 9090, periodSeconds: 2, initialDelaySeconds: 3 }, startupProbe: { type: 'tcpSocket', periodSeconds: 1, failureThreshold: 30 } },
    })
  })
  it('marks exec and grpc probes, and says once that they cannot run here', () => {
    const m = read('exec-probe.yaml')
    expect(m.fields.cluster).toEqual({ replicas: 1, pod: { port: 8080, readinessProbe: { type: 'exec', periodSeconds: 4, failureThreshold: 5 }, startupProbe: { type: 'grpc', port: 9000, periodSeconds: 2 } } })
    expect(m.warnings.filter((w) => /cannot run here/.test(w))).toEqual(['exec-probe.yaml: Deployment/execd: readinessProbe is exec and startupProbe is grpc, which cannot run here: probed over HTTP GET of /healthz with the same timings (results: cluster.readinessProbeHandler.writtenAs)'])
  })
})

describe('readManifests load balancer presets', () => {
  it.each([
    ['aws-lbc', 'aws-nlb', 'annotation service.beta.kubernetes.io/aws-load-balancer-type: external', { intervalSeconds: 5, unhealthyThreshold: 2 }],
    ['aws-intree', 'aws-clb', 'annotation service.beta.kubernetes.io/aws-load-balancer-internal: true', undefined],
    ['gke', 'gcp-l4', 'annotation networking.gke.io/load-balancer-type: Internal', undefined],
    ['aks', 'azure-lb', 'annotation service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: 10', { intervalSeconds: 10, unhealthyThreshold: 3, healthyThreshold: 3 }],
  ])('Service %s → %s', (service, preset, source, healthCheck) => {
    const m = read('lb-annotations.yaml', { service })
    expect(m.preset).toEqual({ preset, source })
    expect((m.fields.service as Record<string, unknown>).loadBalancer).toEqual(healthCheck === undefined ? undefined : { healthCheck })
  })
  it('warns about an unknown annotation and an unknown loadBalancerClass, and keeps the default', () => {
    expect(read('lb-annotations.yaml', { service: 'plain' })).toMatchObject({ preset: undefined, warnings: [expect.stringMatching(/Service\/plain: not modeled by svcbench, ignored: metadata\.annotations\.example\.com\/owner$/)] })
    expect(read('lb-annotations.yaml', { service: 'other-class' }).warnings).toEqual([expect.stringMatching(/spec\.loadBalancerClass "example\.com\/lb" is not one svcbench knows/)])
  })
  it('takes metallb-l2 from MetalLB objects; BGP mode keeps the default with a warning', () => {
    expect(read('metallb.yaml').preset).toEqual({ preset: 'metallb-l2', source: 'MetalLB objects IPAddressPool/lan-pool, L2Advertisement/lan-l2' })
    const bgp = read('metallb-bgp.yaml')
    expect(bgp.preset).toBeUndefined()
    expect(bgp.warnings).toEqual([expect.stringMatching(/MetalLB BGP mode \(IPAddressPool\/lan-pool, BGPAdvertisement\/lan-bgp\) has no preset/)])
  })
})

describe('resolveScenario over manifests', () => {
  const file = fixture('x.ts')
  it('names where the preset came from: the file, the scenario, the default', () => {
    const fromFile = resolveScenario({ name: 'x', cluster: { manifests: { file: 'lb-annotations.yaml', service: 'aks' } } }, { file })
    expect(fromFile.variants[0]!.service.loadBalancer).toMatchObject({ preset: 'azure-lb', healthCheck: { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 3 } })
    expect(fromFile.variants[0]!.lbPresetSource).toBe('file: annotation service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: 10')
    const own = resolveScenario({ name: 'x', cluster: { manifests: { file: 'metallb.yaml' } }, service: { loadBalancer: { preset: 'gcp-l4' } } }, { file })
    expect([own.variants[0]!.service.loadBalancer?.preset, own.variants[0]!.lbPresetSource]).toEqual(['gcp-l4', 'scenario'])
    const plain = resolveScenario({ name: 'x', service: { type: 'LoadBalancer' } })
    expect([plain.variants[0]!.service.loadBalancer?.preset, plain.variants[0]!.lbPresetSource]).toEqual(['aws-nlb', 'default'])
  })
  it('reads a NodePort Service\'s own port for in-cluster clients (load.from \'cluster\' in the scenario)', () => {
    const r = resolveScenario({ name: 'x', load: { from: 'cluster' } }, { manifests: fixture('multi-service.yaml'), port: 'metrics' })
    expect([r.variants[0]!.service.type, r.variants[0]!.service.port, r.variants[0]!.load.from]).toEqual(['NodePort', 9100, 'cluster'])
    expect(resolveScenario({ name: 'x' }, { manifests: fixture('multi-service.yaml'), port: 'metrics' }).variants[0]!.service.port).toBe(80)
  })
  it('lets the scenario\'s service.type run a ClusterIP Service, and the CLI pick the Service and port', () => {
    const r = resolveScenario({ name: 'x', service: { type: 'LoadBalancer' } }, { manifests: fixture('cluster-ip.yaml') })
    expect(r.variants[0]!.service.type).toBe('LoadBalancer')
    expect(r.notes).toEqual([expect.stringMatching(/type ClusterIP in the file; runs as LoadBalancer/)])
    const picked = resolveScenario({}, { manifests: fixture('multi-service.yaml'), port: 'metrics' })
    expect(picked.variants[0]!.cluster.podPort).toBe(9100)
  })
  it('resolves probe handlers: the probe port, the written kind, the startup probe', () => {
    const v = resolveScenario({}, { manifests: fixture('probes.yaml') }).variants[0]!
    expect(v.cluster.readinessProbe).toEqual({ path: '/ready', periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 3 })
    expect(v.cluster.readinessProbeHandler).toEqual({ type: 'httpGet', writtenAs: 'httpGet', port: 9090 })
    expect(v.cluster.startupProbe).toEqual({ path: '/ready', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30, successThreshold: 1, initialDelaySeconds: 0, type: 'tcpSocket', writtenAs: 'tcpSocket', port: null })
    const e = resolveScenario({}, { manifests: fixture('exec-probe.yaml') }).variants[0]!
    expect(e.cluster.readinessProbeHandler).toEqual({ type: 'httpGet', writtenAs: 'exec', port: null })
    expect(e.cluster.startupProbe).toMatchObject({ type: 'httpGet', writtenAs: 'grpc', port: 9000, periodSeconds: 2 })
  })
  it('refuses --service without manifests, and carries the manifests\' warnings with a scenario error', () => {
    expect(refusal(() => resolveScenario({ name: 'x' }, { service: 'web' })).message).toMatch(/^--service: picks from Kubernetes manifests/)
    const e = refusal(() => resolveScenario({ name: 'x', load: { duration: '1ms' } }, { manifests: fixture('multi-service.yaml') }))
    expect(e.message).toMatch(/load\.duration/)
    expect(e.warnings).toContainEqual(expect.stringMatching(/multi-service\.yaml: 2 × kind Job \(migrate, seed\): kind Job is not modeled by svcbench, ignored$/))
  })
  it('shows the manifests path as the scenario wrote it', () => {
    const r = resolveScenario({ name: 'x', cluster: { manifests: '../manifests/multi-service.yaml' } }, { file: path.join(root, 'test/fixtures/scenarios-x/x.ts') })
    expect(r.warnings[0]).toMatch(/^\.\.\/manifests\/multi-service\.yaml: /)
  })
  it('warns about load.clientIps only when it was set', () => {
    const clientIps = (s: object) => resolveScenario({ name: 'x', ...s }).warnings.filter((w) => /clientIps/.test(w))
    expect(clientIps({ load: { connections: 10 } })).toEqual([])
    expect(clientIps({ load: { connections: 10, clientIps: 20 } })).toHaveLength(1)
  })
})
