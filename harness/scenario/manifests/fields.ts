/**
 * What svcbench reads from each kind of Kubernetes object and what it maps to, as one table
 * (MANIFEST_FIELDS) from which the unmodelled-field warnings and docs/own-service.md's list
 * (`npm run docs`) are both derived; and the kinds it reads or skips (MANIFEST_KINDS).
 */
import { isPlainObject } from '../../util/merge.ts'

type Obj = Record<string, unknown>

/** One field svcbench reads. */
export interface ManifestField {
  /** The group of kinds it belongs to (a key of FIELD_GROUPS). */
  group: FieldGroup
  /** Dotted path; `[]` is any index, a trailing `.*` any key below. */
  path: string
  /** What it becomes in the scenario, for the docs. */
  mapsTo: string
}

/** The groups of kinds MANIFEST_FIELDS is written for, with the kinds each covers. */
export const FIELD_GROUPS = {
  any: 'every object',
  Service: 'Service',
  workload: 'Deployment, StatefulSet, ReplicaSet, ReplicationController, DaemonSet',
  container: 'the pod template\'s containers (`spec.template.spec.containers[]` of a workload, `spec.containers[]` of a bare Pod)',
  Pod: 'Pod (bare, with labels the Service selects)',
  HorizontalPodAutoscaler: 'HorizontalPodAutoscaler',
  EndpointSlice: 'EndpointSlice (of a Service without a selector)',
  Endpoints: 'Endpoints (of a Service without a selector)',
  KubeProxyConfiguration: 'KubeProxyConfiguration',
  Node: 'Node',
  MetalLB: 'IPAddressPool, L2Advertisement, BGPAdvertisement (metallb.io)',
} as const

/** A key of {@link FIELD_GROUPS}. */
export type FieldGroup = keyof typeof FIELD_GROUPS

const PROBE_FIELDS: [string, string][] = [
  ['httpGet.path', 'the probe\'s path (default `/`)'],
  ['httpGet.port', 'the port probed (number or container port name); another port than the pod\'s gets a second listener on built-in pods'],
  ['tcpSocket.port', 'a TCP connect to that port'],
  ['exec.command', 'not runnable here: probed over HTTP GET of the readiness path with the probe\'s timings, marked `writtenAs: exec`'],
  ['grpc.port', 'not runnable here: HTTP GET on that port with the probe\'s timings, marked `writtenAs: grpc`'],
  ['periodSeconds', '`periodSeconds`'],
  ['timeoutSeconds', '`timeoutSeconds`'],
  ['failureThreshold', '`failureThreshold`'],
  ['successThreshold', '`successThreshold`'],
  ['initialDelaySeconds', '`initialDelaySeconds`'],
]

const probe = (name: 'readinessProbe' | 'startupProbe'): ManifestField[] =>
  PROBE_FIELDS.map(([p, m]) => ({ group: 'container', path: `${name}.${p}`, mapsTo: `\`cluster.pod.${name}\`: ${m}` }))

/** Every field svcbench reads, by group. */
export const MANIFEST_FIELDS: readonly ManifestField[] = [
  { group: 'any', path: 'apiVersion', mapsTo: 'identity' },
  { group: 'any', path: 'kind', mapsTo: 'which objects are read (see the kinds below)' },
  { group: 'any', path: 'metadata.name', mapsTo: 'identity; the Service\'s name is the scenario name when the scenario gives none' },
  { group: 'any', path: 'metadata.namespace', mapsTo: 'identity' },
  { group: 'any', path: 'metadata.labels.*', mapsTo: 'identity; a Pod\'s labels are matched by the Service\'s selector, an EndpointSlice\'s `kubernetes.io/service-name` names its Service' },
  { group: 'Service', path: 'spec.type', mapsTo: '`service.type` (ClusterIP, NodePort, LoadBalancer; `service.type` in a scenario or `--service-type` wins); a ClusterIP Service runs with in-cluster clients (`load.from: \'cluster\'`)' },
  { group: 'Service', path: 'spec.clusterIP', mapsTo: '`None` (headless) is refused: no virtual IP to balance; an address is not used (svcbench gives the ClusterIP its own address on the run\'s network)' },
  { group: 'Service', path: 'spec.clusterIPs', mapsTo: 'as `clusterIP`' },
  { group: 'Service', path: 'spec.selector.*', mapsTo: 'the workloads and Pods whose pods are the endpoints' },
  { group: 'Service', path: 'spec.ports[].name', mapsTo: 'picks the port (`--port NAME`)' },
  { group: 'Service', path: 'spec.ports[].port', mapsTo: '`service.port` (ClusterIP, LoadBalancer, and NodePort with `load.from: \'cluster\'`: the port in-cluster clients or the load balancer\'s clients connect to); picks the port (`--port NUMBER`)' },
  { group: 'Service', path: 'spec.ports[].targetPort', mapsTo: '`cluster.pod.port` (number or container port name; `port` when absent)' },
  { group: 'Service', path: 'spec.ports[].nodePort', mapsTo: '`service.nodePort`' },
  { group: 'Service', path: 'spec.ports[].protocol', mapsTo: '`service.protocol` (TCP or UDP; SCTP is refused)' },
  { group: 'Service', path: 'spec.ports[].appProtocol', mapsTo: 'informative (the load is HTTP/1.1)' },
  { group: 'Service', path: 'spec.sessionAffinity', mapsTo: '`service.sessionAffinity`' },
  { group: 'Service', path: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', mapsTo: '`service.sessionAffinityTimeoutSeconds`' },
  { group: 'Service', path: 'spec.externalTrafficPolicy', mapsTo: '`service.externalTrafficPolicy`' },
  { group: 'Service', path: 'spec.internalTrafficPolicy', mapsTo: '`service.internalTrafficPolicy`' },
  { group: 'Service', path: 'spec.healthCheckNodePort', mapsTo: '`service.healthCheckNodePort` (LoadBalancer)' },
  { group: 'Service', path: 'spec.loadBalancerClass', mapsTo: 'the load balancer preset (`service.k8s.aws/nlb` → aws-nlb)' },
  { group: 'Service', path: 'spec.ipFamilies', mapsTo: 'informative (svcbench runs IPv4 loopback)' },
  { group: 'Service', path: 'spec.ipFamilyPolicy', mapsTo: 'informative (svcbench runs IPv4 loopback)' },
  { group: 'workload', path: 'spec.replicas', mapsTo: '`cluster.replicas`, added up over every selected workload; absent: an HPA\'s `minReplicas`, else 1' },
  { group: 'workload', path: 'spec.selector.*', mapsTo: 'identity (the Service selects by pod template labels)' },
  { group: 'workload', path: 'spec.serviceName', mapsTo: 'identity' },
  { group: 'workload', path: 'spec.template.metadata.labels.*', mapsTo: 'matched by the Service\'s selector' },
  { group: 'workload', path: 'spec.template.metadata.annotations.*', mapsTo: 'identity' },
  { group: 'workload', path: 'spec.template.spec.terminationGracePeriodSeconds', mapsTo: '`cluster.pod.terminationGracePeriodSeconds`' },
  { group: 'Pod', path: 'spec.terminationGracePeriodSeconds', mapsTo: '`cluster.pod.terminationGracePeriodSeconds`' },
  { group: 'Pod', path: 'spec.nodeName', mapsTo: 'informative (pods are spread over the nodes)' },
  { group: 'container', path: 'name', mapsTo: 'identity' },
  { group: 'container', path: 'ports[].containerPort', mapsTo: 'resolves named ports; the container serving the Service\'s targetPort gives the pod settings' },
  { group: 'container', path: 'ports[].name', mapsTo: 'resolves named ports' },
  { group: 'container', path: 'ports[].protocol', mapsTo: 'identity' },
  ...probe('readinessProbe'),
  ...probe('startupProbe'),
  { group: 'HorizontalPodAutoscaler', path: 'spec.scaleTargetRef.*', mapsTo: 'the workload it scales' },
  { group: 'HorizontalPodAutoscaler', path: 'spec.minReplicas', mapsTo: 'the workload\'s replicas when it sets none, and at least this many (the HPA controller\'s lower bound; default 1)' },
  { group: 'HorizontalPodAutoscaler', path: 'spec.maxReplicas', mapsTo: 'at most this many replicas' },
  { group: 'EndpointSlice', path: 'addressType', mapsTo: 'identity' },
  { group: 'EndpointSlice', path: 'endpoints[].addresses', mapsTo: 'one pod per endpoint' },
  { group: 'EndpointSlice', path: 'endpoints[].nodeName', mapsTo: 'the pod\'s node (`cluster.nodes`)' },
  { group: 'EndpointSlice', path: 'endpoints[].conditions.ready', mapsTo: '`false`: not an endpoint (skipped with a warning)' },
  { group: 'EndpointSlice', path: 'ports[].name', mapsTo: 'matched to the Service port' },
  { group: 'EndpointSlice', path: 'ports[].port', mapsTo: '`cluster.pod.port`' },
  { group: 'EndpointSlice', path: 'ports[].protocol', mapsTo: 'identity' },
  { group: 'Endpoints', path: 'subsets[].addresses[].ip', mapsTo: 'one pod per address' },
  { group: 'Endpoints', path: 'subsets[].addresses[].nodeName', mapsTo: 'the pod\'s node (`cluster.nodes`)' },
  { group: 'Endpoints', path: 'subsets[].notReadyAddresses[].ip', mapsTo: 'not an endpoint (skipped with a warning)' },
  { group: 'Endpoints', path: 'subsets[].ports[].name', mapsTo: 'matched to the Service port' },
  { group: 'Endpoints', path: 'subsets[].ports[].port', mapsTo: '`cluster.pod.port`' },
  { group: 'Endpoints', path: 'subsets[].ports[].protocol', mapsTo: 'identity' },
  { group: 'KubeProxyConfiguration', path: 'mode', mapsTo: '`service.proxyMode` (empty: iptables)' },
  { group: 'KubeProxyConfiguration', path: 'masqueradeAll', mapsTo: '`service.masqueradeAll` (SNAT of every ClusterIP connection)' },
  { group: 'KubeProxyConfiguration', path: 'ipvs.scheduler', mapsTo: '`service.ipvsScheduler` (with mode ipvs)' },
  { group: 'KubeProxyConfiguration', path: 'ipvs.tcpTimeout', mapsTo: '`service.ipvs.tcpTimeout` (with mode ipvs; 0 keeps the kernel\'s)' },
  { group: 'KubeProxyConfiguration', path: 'ipvs.tcpFinTimeout', mapsTo: '`service.ipvs.tcpFinTimeout` (with mode ipvs; 0 keeps the kernel\'s)' },
  { group: 'KubeProxyConfiguration', path: 'ipvs.udpTimeout', mapsTo: '`service.ipvs.udpTimeout` (with mode ipvs; 0 keeps the kernel\'s)' },
  { group: 'Node', path: 'metadata.name', mapsTo: 'a node of `cluster.nodes` (lowercased, other characters than a-z, 0-9 and - replaced by -); the pods are spread over them' },
  { group: 'MetalLB', path: 'spec.*', mapsTo: 'their presence picks the metallb-l2 preset (IPAddressPool, L2Advertisement)' },
]

/** The kinds svcbench reads, each with the field groups it is checked against. */
export const READ_KINDS: Record<string, readonly FieldGroup[]> = {
  Service: ['Service'],
  Deployment: ['workload'],
  StatefulSet: ['workload'],
  ReplicaSet: ['workload'],
  ReplicationController: ['workload'],
  DaemonSet: ['workload'],
  Pod: ['Pod'],
  HorizontalPodAutoscaler: ['HorizontalPodAutoscaler'],
  EndpointSlice: ['EndpointSlice'],
  Endpoints: ['Endpoints'],
  KubeProxyConfiguration: ['KubeProxyConfiguration'],
  Node: ['Node'],
  IPAddressPool: ['MetalLB'],
  L2Advertisement: ['MetalLB'],
  BGPAdvertisement: ['MetalLB'],
}

/** Kinds real apps carry that svcbench skips, and why (any other kind is skipped too). */
export const SKIPPED_KINDS: readonly [string, string][] = [
  ['Namespace', 'objects are not namespaced here'],
  ['ConfigMap, Secret', 'the built-in pod has no configuration; your own server (`cluster.pod.command`) reads its own'],
  ['ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding', 'no API server to authorise against'],
  ['Job, CronJob', 'not behind a Service'],
  ['Ingress, IngressClass, Gateway, HTTPRoute, GRPCRoute', 'svcbench measures the Service below them'],
  ['NetworkPolicy', 'every pod may reach every pod'],
  ['PodDisruptionBudget', 'faults are what the scenario says'],
  ['PersistentVolumeClaim, PersistentVolume, StorageClass', 'no storage'],
  ['ValidatingWebhookConfiguration, MutatingWebhookConfiguration, CustomResourceDefinition', 'no API server'],
  ['BGPPeer, Community, BFDProfile (MetalLB)', 'BGP sessions are not modelled'],
]

/** Leaf paths of a value, with array indices written `[i]`; an array of scalars (args, command) is one leaf. */
function leaves(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0 || v.every((x) => !Array.isArray(x) && !isPlainObject(x))) return [prefix]
    return v.flatMap((x, i) => leaves(x, `${prefix}[${i}]`))
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v)
    return keys.length === 0 ? [prefix] : keys.flatMap((k) => leaves(v[k], prefix === '' ? k : `${prefix}.${k}`))
  }
  return [prefix]
}

/** The paths an object of a group is checked against; containers are placed under `podSpec`. */
function knownPaths(groups: readonly FieldGroup[], podSpec: string | undefined, extraKnown: readonly string[]): string[] {
  const own = MANIFEST_FIELDS.filter((f) => f.group === 'any' || groups.includes(f.group)).map((f) => f.path)
  const containers = podSpec === undefined ? [] : MANIFEST_FIELDS.filter((f) => f.group === 'container').map((f) => `${podSpec}.containers[].${f.path}`)
  // Annotations are identity on every kind but the Service, whose annotations are read one by one.
  const annotations = groups.includes('Service') ? [] : ['metadata.annotations.*']
  return [...own, ...containers, ...annotations, ...extraKnown]
}

function matches(pattern: string, generic: string): boolean {
  return pattern.endsWith('.*') ? generic.startsWith(pattern.slice(0, -1)) : generic === pattern
}

/** Most fields one warning lists before "and N more". */
export const MAX_LISTED = 8

/** `a, b, c, … and N more` with at most `max` items. */
export function listCapped(items: readonly string[], max = MAX_LISTED): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`
}

/**
 * The leaf paths of `o` svcbench does not read. `extraKnown` adds paths (a Service's annotations
 * svcbench reads, e.g. `metadata.annotations.service.beta.kubernetes.io/aws-load-balancer-type`).
 */
export function unmodelledFields(o: Obj, extraKnown: readonly string[] = []): string[] {
  const kind = String(o.kind)
  const groups = READ_KINDS[kind] ?? []
  const podSpec = groups.includes('workload') ? 'spec.template.spec' : kind === 'Pod' ? 'spec' : undefined
  const known = knownPaths(groups, podSpec, extraKnown)
  return leaves(o).filter((l) => {
    const generic = l.replace(/\[\d+\]/g, '[]')
    return !known.some((k) => matches(k, generic))
  })
}
