/**
 * Where the load comes from: load.from's defaults per Service type, the fields that only apply to
 * one origin, where in-cluster client pods are placed, and the warnings about them.
 */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { clientPlacement } from '../../harness/scenario/topology.ts'
import { ScenarioError } from '../../harness/errors.ts'

function issuesOf(input: unknown): string[] {
  try {
    resolveScenario(input, { file: 'x.ts' })
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected a ScenarioError')
}

const resolved = (over: Record<string, unknown>) => resolveScenario({ name: 'x', ...over })

describe('load.from', () => {
  it.each([
    ['ClusterIP', 'cluster'],
    ['NodePort', 'external'],
    ['LoadBalancer', 'external'],
  ] as const)('defaults to what a %s Service can take: %s', (type, from) => {
    expect(resolved({ service: { type } }).variants[0]!.load.from).toBe(from)
  })
  it('places client pods round robin over every node by default, or over load.clientNodes', () => {
    const all = resolved({ service: { type: 'ClusterIP' }, load: { clientIps: 5 } }).variants[0]!
    expect([all.load.clientNodes, all.load.via]).toEqual([['node-a', 'node-b', 'node-c'], []])
    expect(clientPlacement(all).map((c) => c.node)).toEqual(['node-a', 'node-b', 'node-c', 'node-a', 'node-b'])
    const two = resolved({ service: { type: 'ClusterIP' }, load: { clientIps: 4, clientNodes: ['node-c', 'node-a'] } }).variants[0]!
    expect(clientPlacement(two)).toEqual([
      { name: 'client-1', node: 'node-c', pod: null },
      { name: 'client-2', node: 'node-a', pod: null },
      { name: 'client-3', node: 'node-c', pod: null },
      { name: 'client-4', node: 'node-a', pod: null },
    ])
  })
  it('takes one client per address in use: min(clientIps, connections)', () => {
    expect(clientPlacement(resolved({ service: { type: 'ClusterIP' }, load: { clientIps: 64, connections: 3 } }).variants[0]!)).toHaveLength(3)
  })
  it('makes the Service\'s own pods the clients with clientPods "endpoints", at most one per pod', () => {
    const v = resolved({ cluster: { nodes: 2, replicas: 3 }, service: { type: 'ClusterIP' }, load: { clientPods: 'endpoints' } }).variants[0]!
    expect(clientPlacement(v)).toEqual([
      { name: 'client-1', node: 'node-a', pod: 'pod-1' },
      { name: 'client-2', node: 'node-b', pod: 'pod-2' },
      { name: 'client-3', node: 'node-a', pod: 'pod-3' },
    ])
  })
  it('lets in-cluster clients reach a NodePort Service at its ClusterIP, with its port', () => {
    const v = resolved({ service: { type: 'NodePort', port: 8080 }, load: { from: 'cluster' } }).variants[0]!
    expect([v.service.type, v.service.port, v.load.from]).toEqual(['NodePort', 8080, 'cluster'])
    expect(clientPlacement(resolved({ service: { type: 'NodePort' } }).variants[0]!)).toEqual([])
  })
  it.each([
    [{ service: { type: 'ClusterIP' }, load: { from: 'external' } }, 'load.from: got "external"; a ClusterIP Service has no address outside the cluster: expected "cluster" (the default for ClusterIP), or service.type "NodePort" or "LoadBalancer" for clients outside it'],
    [{ load: { clientNodes: ['node-a'] } }, 'load.clientNodes: got ["node-a"]; only applies to in-cluster clients (load.from "cluster")'],
    [{ load: { clientPods: 'endpoints' } }, 'load.clientPods: got "endpoints"; only applies to in-cluster clients (load.from "cluster")'],
    [{ service: { type: 'ClusterIP' }, load: { via: 'one-node' } }, 'load.via: got "one-node"; in-cluster clients connect through their own node\'s kube-proxy: place them with load.clientNodes instead'],
    [{ service: { type: 'ClusterIP' }, load: { clientNodes: ['node-x'] } }, 'load.clientNodes[0]: got "node-x"; no such node; expected one of "node-a", "node-b", "node-c" (did you mean "node-a"?)'],
    [{ service: { type: 'ClusterIP' }, load: { clientPods: 'endpoints', clientNodes: ['node-a'] } }, 'load.clientNodes: got ["node-a"]; with load.clientPods "endpoints" the clients are the Service\'s own pods, on their own nodes: drop one of the two'],
    [{ service: { type: 'ClusterIP', nodePort: 30001 } }, 'service.nodePort: only applies to type "NodePort" or "LoadBalancer" (got type "ClusterIP")'],
    [{ service: { type: 'ClusterIP', externalTrafficPolicy: 'Local' } }, 'service.externalTrafficPolicy: only applies to type "NodePort" or "LoadBalancer" (got type "ClusterIP")'],
  ])('refuses %j', (body, issue) => {
    expect(issuesOf({ name: 'x', ...body })).toEqual([issue])
  })
})

describe('warnings about in-cluster traffic', () => {
  it('says where internalTrafficPolicy Local drops clients (a node with clients and no pod), and nothing for Cluster', () => {
    const nodes = [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 0 }]
    expect(resolved({ cluster: { nodes }, service: { type: 'ClusterIP', internalTrafficPolicy: 'Local' } }).warnings).toEqual([
      'internalTrafficPolicy Local: node-b runs client pods but no pod of the Service, so those clients\' connections are dropped (they time out)',
    ])
    expect(resolved({ cluster: { nodes }, service: { type: 'ClusterIP', internalTrafficPolicy: 'Local' }, load: { clientNodes: ['node-a'] } }).warnings).toEqual([])
    expect(resolved({ cluster: { nodes }, service: { type: 'ClusterIP' } }).warnings).toEqual([])
  })
  it('says that internalTrafficPolicy and masqueradeAll do nothing for clients outside the cluster', () => {
    expect(resolved({ service: { internalTrafficPolicy: 'Local', masqueradeAll: true } }).warnings).toEqual([
      "internalTrafficPolicy applies to in-cluster traffic; this load's clients are external (NodePort), so it has no effect here; load.from: 'cluster' sends it from client pods",
      "service.masqueradeAll applies to ClusterIP traffic; this load's clients are external (NodePort), so it has no effect here; load.from: 'cluster' sends it from client pods",
    ])
  })
})
