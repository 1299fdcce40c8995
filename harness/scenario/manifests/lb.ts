/**
 * The load balancer in front of a LoadBalancer Service, as the file says: `spec.loadBalancerClass`,
 * then the cloud's annotations on the Service, then MetalLB's own objects in the file, else the
 * default preset. Health-check annotations become `service.loadBalancer.healthCheck` fields.
 */
import type { LbPresetName } from '../../model/load-balancer.ts'
import { isPlainObject } from '../../util/merge.ts'

type Obj = Record<string, unknown>

const AWS = 'service.beta.kubernetes.io/aws-load-balancer-'
const AZURE = 'service.beta.kubernetes.io/azure-'

/** One Service annotation svcbench reads. */
export interface LbAnnotation {
  annotation: string
  /** What it does here, for the docs. */
  mapsTo: string
  /** `service.loadBalancer.healthCheck` field it sets (a number of seconds or a count). */
  healthCheck?: 'intervalSeconds' | 'timeoutSeconds' | 'healthyThreshold' | 'unhealthyThreshold'
}

/** Every Service annotation svcbench reads (sources: the AWS Load Balancer Controller's and the in-tree AWS provider's annotation docs, GKE's, cloud-provider-azure's, MetalLB's). */
export const LB_ANNOTATIONS: readonly LbAnnotation[] = [
  { annotation: `${AWS}type`, mapsTo: '`nlb`, `external`, `nlb-ip` → aws-nlb (NLB: AWS Load Balancer Controller or in-tree); another value → aws-clb' },
  { annotation: `${AWS}scheme`, mapsTo: 'aws-nlb (an AWS Load Balancer Controller annotation); internal or internet-facing is the same here' },
  { annotation: `${AWS}nlb-target-type`, mapsTo: 'aws-nlb; `ip` targets skip the NodePort, which svcbench always crosses (warned)' },
  { annotation: `${AWS}internal`, mapsTo: 'aws-clb unless `…-type` says nlb (in-tree provider); internal is the same here' },
  { annotation: `${AWS}healthcheck-interval`, mapsTo: '`service.loadBalancer.healthCheck.intervalSeconds`', healthCheck: 'intervalSeconds' },
  { annotation: `${AWS}healthcheck-timeout`, mapsTo: '`service.loadBalancer.healthCheck.timeoutSeconds`', healthCheck: 'timeoutSeconds' },
  { annotation: `${AWS}healthcheck-healthy-threshold`, mapsTo: '`service.loadBalancer.healthCheck.healthyThreshold`', healthCheck: 'healthyThreshold' },
  { annotation: `${AWS}healthcheck-unhealthy-threshold`, mapsTo: '`service.loadBalancer.healthCheck.unhealthyThreshold`', healthCheck: 'unhealthyThreshold' },
  { annotation: 'cloud.google.com/load-balancer-type', mapsTo: 'gcp-l4 (Internal is a passthrough L4 load balancer too)' },
  { annotation: 'networking.gke.io/load-balancer-type', mapsTo: 'gcp-l4' },
  { annotation: 'cloud.google.com/l4-rbs', mapsTo: 'gcp-l4 (backend-service-based passthrough)' },
  { annotation: `${AZURE}load-balancer-internal`, mapsTo: 'azure-lb; internal is the same here' },
  { annotation: `${AZURE}load-balancer-health-probe-interval`, mapsTo: 'azure-lb; `service.loadBalancer.healthCheck.intervalSeconds`', healthCheck: 'intervalSeconds' },
  { annotation: `${AZURE}load-balancer-health-probe-num-of-probe`, mapsTo: 'azure-lb; `healthCheck.unhealthyThreshold` and `healthyThreshold` (Azure\'s probeThreshold counts both ways)', healthCheck: 'unhealthyThreshold' },
  { annotation: 'metallb.universe.tf/address-pool', mapsTo: 'metallb-l2' },
  { annotation: 'metallb.io/address-pool', mapsTo: 'metallb-l2' },
  { annotation: 'metallb.universe.tf/loadBalancerIPs', mapsTo: 'metallb-l2' },
  { annotation: 'metallb.io/loadBalancerIPs', mapsTo: 'metallb-l2' },
  { annotation: 'metallb.universe.tf/allow-shared-ip', mapsTo: 'metallb-l2 (sharing an address does not change the balancing)' },
  { annotation: 'metallb.io/allow-shared-ip', mapsTo: 'metallb-l2 (sharing an address does not change the balancing)' },
]

/** Where each provider's annotations start; any of them names the provider, even unread ones. */
const PROVIDERS: [string, (a: Obj) => LbPresetName][] = [
  [AWS, awsPreset],
  ['cloud.google.com/', () => 'gcp-l4'],
  ['networking.gke.io/', () => 'gcp-l4'],
  [AZURE, () => 'azure-lb'],
  ['metallb.universe.tf/', () => 'metallb-l2'],
  ['metallb.io/', () => 'metallb-l2'],
]

function awsPreset(a: Obj): LbPresetName {
  const type = a[`${AWS}type`]
  if (type === 'nlb' || type === 'external' || type === 'nlb-ip') return 'aws-nlb'
  if (type === undefined && (a[`${AWS}scheme`] !== undefined || a[`${AWS}nlb-target-type`] !== undefined)) return 'aws-nlb'
  return 'aws-clb'
}

/** The preset the file implies, where that came from, and the health-check fields it sets. */
export interface FilePreset {
  /** undefined: the file says nothing; the default (or the scenario's) preset runs. */
  preset: LbPresetName | undefined
  /** e.g. `annotation service.beta.kubernetes.io/aws-load-balancer-type: external`. */
  source: string
  healthCheck: Record<string, number>
  warnings: string[]
}

const show = (k: string, v: unknown) => `${k}: ${String(v)}`

/** The preset of `svc` (`sid` prefixes warnings), from its class, its annotations, or MetalLB objects among `objects`. */
export function presetFromFile(svc: Obj, objects: readonly Obj[], sid: string): FilePreset {
  const out: FilePreset = { preset: undefined, source: 'default', healthCheck: {}, warnings: [] }
  const spec = isPlainObject(svc.spec) ? svc.spec : {}
  const metadata = isPlainObject(svc.metadata) ? svc.metadata : {}
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {}
  const lbClass = spec.loadBalancerClass
  const found: { preset: LbPresetName; source: string }[] = []
  if (lbClass === 'service.k8s.aws/nlb') found.push({ preset: 'aws-nlb', source: `spec.loadBalancerClass ${lbClass}` })
  else if (typeof lbClass === 'string') out.warnings.push(`${sid}: spec.loadBalancerClass ${JSON.stringify(lbClass)} is not one svcbench knows (service.k8s.aws/nlb); the preset comes from the annotations or the default`)
  for (const [prefix, preset] of PROVIDERS) {
    const keys = Object.keys(annotations).filter((k) => k.startsWith(prefix))
    if (keys.length === 0) continue
    const key = keys.find((k) => LB_ANNOTATIONS.some((x) => x.annotation === k)) ?? (keys[0] as string)
    found.push({ preset: preset(annotations), source: `annotation ${show(key, annotations[key])}` })
  }
  const metallb = objects.filter((o) => ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement'].includes(String(o.kind)))
  const names = metallb.map((o) => `${String(o.kind)}/${String((o.metadata as Obj | undefined)?.name ?? '?')}`).join(', ')
  if (metallb.some((o) => o.kind === 'L2Advertisement') || (metallb.length > 0 && !metallb.some((o) => o.kind === 'BGPAdvertisement'))) {
    found.push({ preset: 'metallb-l2', source: `MetalLB objects ${names}` })
  } else if (metallb.length > 0) {
    out.warnings.push(`${sid}: MetalLB BGP mode (${names}) has no preset: routers spread connections by ECMP flow hash, which the default aws-nlb preset also does, but its health checks are not BGP's hold timer`)
  }
  const first = found[0]
  if (first !== undefined) {
    out.preset = first.preset
    out.source = first.source
    const others = found.slice(1).filter((f) => f.preset !== first.preset)
    if (others.length > 0) out.warnings.push(`${sid}: the load balancer is ${first.preset} from ${first.source}; also found ${others.map((f) => `${f.preset} from ${f.source}`).join(', ')}, not used`)
  }
  readHealthCheck(annotations, sid, out)
  return out
}

/** Health-check annotations → healthCheck fields; the ip target type is warned about. */
function readHealthCheck(annotations: Obj, sid: string, out: FilePreset): void {
  for (const a of LB_ANNOTATIONS) {
    const raw = annotations[a.annotation]
    if (raw === undefined || a.healthCheck === undefined) continue
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0) {
      out.warnings.push(`${sid}: metadata.annotations.${a.annotation}: got ${JSON.stringify(raw)}; expected a positive number, ignored`)
      continue
    }
    out.healthCheck[a.healthCheck] = n
    // Azure's probeThreshold is both the failures that take a node out and the successes that bring it back.
    if (a.annotation.startsWith(AZURE) && a.healthCheck === 'unhealthyThreshold') out.healthCheck.healthyThreshold = n
  }
  if (annotations[`${AWS}nlb-target-type`] === 'ip') {
    out.warnings.push(`${sid}: ${show(`${AWS}nlb-target-type`, 'ip')}: an NLB with ip targets sends straight to the pods; svcbench models instance targets (through each node's NodePort)`)
  }
}

/** The annotation paths svcbench reads (known to the unmodelled-field check). */
export const READ_ANNOTATION_PATHS = LB_ANNOTATIONS.map((a) => `metadata.annotations.${a.annotation}`)
