import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readManifests } from '../../harness/scenario/manifests.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const file = (p: string) => path.join(root, p)

function issuesOf(f: () => unknown): string[] {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected a ScenarioError')
}

describe('readManifests', () => {
  it('turns the shipped web Service + Deployment + KubeProxyConfiguration + Nodes into scenario fields', () => {
    const m = readManifests(file('scenarios/manifests/web.yaml'))
    expect(m.name).toBe('web')
    expect(m.fields).toEqual({
      cluster: {
        replicas: 4,
        nodes: [
          { name: 'worker-1', pods: 2 },
          { name: 'worker-2', pods: 2 },
        ],
        pod: {
          port: 8080,
          readinessProbe: { path: '/healthz', periodSeconds: 5, failureThreshold: 2 },
          terminationGracePeriodSeconds: 20,
        },
      },
      service: {
        type: 'NodePort',
        nodePort: 30080,
        sessionAffinity: 'ClientIP',
        sessionAffinityTimeoutSeconds: 600,
        externalTrafficPolicy: 'Cluster',
        proxyMode: 'ipvs',
        ipvsScheduler: 'rr',
      },
    })
    expect(m.warnings).toEqual([
      expect.stringMatching(/Deployment\/web: not modeled by svcbench, ignored: spec\.template\.spec\.containers\[0\]\.image, .*resources\.requests\.cpu, .*resources\.requests\.memory$/),
    ])
  })
  it('takes a StatefulSet, Local policy and a numeric targetPort, and warns about all it does not model', () => {
    const m = readManifests(file('test/fixtures/manifests/statefulset-local.yaml'))
    expect(m.fields).toEqual({
      cluster: { replicas: 3, pod: { port: 5432 } },
      service: { type: 'LoadBalancer', port: 5432, nodePort: 31432, healthCheckNodePort: 32000, externalTrafficPolicy: 'Local' },
    })
    const w = m.warnings.join('\n')
    expect(w).toMatch(/ConfigMap\/db-config: kind ConfigMap is not modeled by svcbench, ignored/)
    expect(w).toMatch(/spec\.ports: 2 ports; only the first \(5432\) is benchmarked/)
    expect(w).not.toMatch(/healthCheckNodePort/)
  })
  /** A manifests file of these YAML documents, in a fresh temporary folder. */
  const manifestsFile = (name: string, docs: string[]) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-kp-')), name)
    fs.writeFileSync(f, docs.join('\n---\n'))
    return f
  }
  it('takes the IPVS timeouts of a KubeProxyConfiguration (metav1.Duration strings) into service.ipvs', () => {
    const yaml = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}}}',
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nipvs: {scheduler: lc, tcpFinTimeout: 30s, tcpTimeout: 0s}',
    ]
    const m = readManifests(manifestsFile('kp.yaml', yaml))
    expect(m.fields.service).toMatchObject({ proxyMode: 'ipvs', ipvsScheduler: 'lc', ipvs: { tcpFinTimeout: '30s', tcpTimeout: '0s' } })
    const v = resolveScenario({ name: 'kp', ...m.fields }).variants[0]!
    expect(v.service.ipvsTimeouts).toEqual({ tcpMs: 900_000, tcpFinMs: 30_000, udpMs: 300_000 })
  })
  it('takes masqueradeAll of a KubeProxyConfiguration, and runs a ClusterIP Service at its port without a NodePort', () => {
    const yaml = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, internalTrafficPolicy: Local, ports: [{name: http, port: 8000, targetPort: 8080}]}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3, selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}}}',
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\nmasqueradeAll: true',
    ]
    const m = readManifests(manifestsFile('masq.yaml', yaml))
    expect(m.fields.service).toEqual({ type: 'ClusterIP', port: 8000, internalTrafficPolicy: 'Local', proxyMode: 'nftables', masqueradeAll: true })
    expect(m.warnings).toEqual([])
    const v = resolveScenario({ name: 'masq', ...m.fields }).variants[0]!
    expect([v.service.masqueradeAll, v.load.from, v.cluster.podPort]).toEqual([true, 'cluster', 8080])
  })
  it('rejects malformed YAML with the document number', () => {
    const issues = issuesOf(() => readManifests(file('test/fixtures/manifests/malformed.yaml')))
    expect(issues[0]).toMatch(/malformed\.yaml: document 1: malformed YAML: /)
  })
  it('rejects a Service whose selector matches no workload, naming what it found', () => {
    expect(issuesOf(() => readManifests(file('test/fixtures/manifests/no-match.yaml')))).toEqual([
      expect.stringMatching(/no-match\.yaml: Service\/api: spec\.selector: selects app=api but no Deployment or StatefulSet has those pod template labels \(found: Deployment\/web with app=web\)$/),
    ])
  })
  it('rejects a missing file', () => {
    expect(issuesOf(() => readManifests('nope.yaml'))).toEqual(['manifests: file "nope.yaml" not found; expected a Kubernetes YAML file'])
  })
})

describe('resolveScenario with manifests', () => {
  it('resolves to the same scenario as the equivalent .ts fields', () => {
    const fromYaml = resolveScenario({ name: 'web', cluster: { manifests: 'manifests/web.yaml' } }, { file: file('scenarios/x.ts') })
    const fromTs = resolveScenario({
      name: 'web',
      cluster: {
        nodes: [
          { name: 'worker-1', pods: 2 },
          { name: 'worker-2', pods: 2 },
        ],
        pod: { port: 8080, readinessProbe: { path: '/healthz', periodSeconds: 5, failureThreshold: 2 }, terminationGracePeriodSeconds: 20 },
      },
      service: { type: 'NodePort', nodePort: 30080, sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 600, externalTrafficPolicy: 'Cluster', proxyMode: 'ipvs', ipvsScheduler: 'rr' },
    })
    expect(fromYaml.variants).toEqual(fromTs.variants)
    expect(fromYaml.manifests).toBe(file('scenarios/manifests/web.yaml'))
    expect(fromYaml.variants[0]!.cluster.readinessProbe).toEqual({ path: '/healthz', periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 2, successThreshold: 1, initialDelaySeconds: 0 })
  })
  it('lets the scenario override what the manifests say', () => {
    const r = resolveScenario(
      { name: 'web', cluster: { manifests: 'manifests/web.yaml', nodes: 3 }, service: { sessionAffinity: 'None' } },
      { file: file('scenarios/x.ts') },
    )
    const v = r.variants[0]!
    expect(v.service.sessionAffinity).toBe('None')
    expect(v.service.algorithm).toBe('round-robin')
    expect(v.cluster.nodes.map((n) => n.pods)).toEqual([2, 1, 1])
  })
  it('takes the name from the Service when the scenario has none (--manifests alone)', () => {
    const r = resolveScenario({}, { manifests: file('test/fixtures/manifests/statefulset-local.yaml') })
    expect(r.name).toBe('db')
    expect(r.variants[0]!.cluster.podPort).toBe(5432)
    expect(r.variants[0]!.service.type).toBe('LoadBalancer')
    expect(r.variants[0]!.service.loadBalancer?.preset).toBe('aws-nlb')
  })
})
