/**
 * What the kernel dataplane's rule writers take and give: one Service (one port) on one node, its
 * endpoints as an EndpointSlice carries them to kube-proxy, and the two kube-proxy modes whose
 * rules are written here (pkg/proxy/nftables/proxier.go, pkg/proxy/iptables/proxier.go; IPVS is
 * not in this kernel). Types only; docs/kernel-rules.md says which proxier code each rule follows.
 */

/** The kube-proxy modes written as kernel rules (KubeProxyConfiguration `mode`). */
export type KernelProxyMode = 'nftables' | 'iptables'

/** One endpoint of the Service, with the EndpointSlice conditions kube-proxy reads (discovery/v1 EndpointConditions). */
export interface RuleEndpoint {
  /** Pod name; decision counters are reported by it. */
  name: string
  /** Pod IPv4 address, the DNAT target. */
  address: string
  /** Pod port (the resolved targetPort), the DNAT target port. */
  port: number
  /** Node the pod runs on; equal to {@link RuleNode.name} makes it local (kube-proxy's `IsLocal`). */
  node: string
  /** `conditions.ready`. */
  ready: boolean
  /** `conditions.serving`. */
  serving: boolean
  /** `conditions.terminating`. */
  terminating: boolean
}

/** The Service port whose rules are written (one ServicePort of a v1 Service). */
export interface RuleService {
  /** Service name (metadata.name). */
  name: string
  /** Service namespace (metadata.namespace). */
  namespace: string
  /** Port protocol. */
  protocol: 'TCP' | 'UDP'
  /** ClusterIP; null writes no ClusterIP rules (kube-proxy skips a Service without one). */
  clusterIP: string | null
  /** Service port (the ClusterIP's port). */
  port: number
  /** targetPort; informational: each endpoint carries its own port, as EndpointSlice ports do. */
  targetPort: number
  /** NodePort; null for a ClusterIP-only Service. */
  nodePort: number | null
  /** `spec.externalTrafficPolicy` (matters only with a NodePort). */
  externalTrafficPolicy: 'Cluster' | 'Local'
  /** `spec.internalTrafficPolicy`. */
  internalTrafficPolicy: 'Cluster' | 'Local'
  /** `sessionAffinityConfig.clientIP.timeoutSeconds` with `sessionAffinity: ClientIP`, s; null for no affinity. */
  sessionAffinityTimeoutSeconds: number | null
  /** `spec.healthCheckNodePort` (Local); only the iptables filter ACCEPT rule uses it. */
  healthCheckNodePort: number | null
  /**
   * ServicePort `name`, part of every chain name (`ns/svc/tcp/<portName>`, `ns/svc:<portName>`);
   * a one-port Service may leave it empty. @default ''
   */
  portName?: string
}

/** The node whose kube-proxy writes the rules. */
export interface RuleNode {
  /** Node name (kube-proxy's `--hostname-override`), compared with {@link RuleEndpoint.node}. */
  name: string
  /** Node IPv4 addresses that accept NodePort traffic (`--nodeport-addresses`, kube-proxy's `primary` default). */
  addresses: string[]
  /** The node's pod CIDR (`spec.podCIDR`); unused by the default `--detect-local-mode=ClusterCIDR`. */
  podCidr: string
  /** The cluster's pod CIDR (`--cluster-cidr`): sources inside it are pods (the local traffic detector). */
  clusterCidr: string
}

/** Everything one sync of one node's kube-proxy needs for this Service. */
export interface RuleInput {
  /** Which proxier's rules to write. */
  mode: KernelProxyMode
  /** The Service port. */
  service: RuleService
  /** The node the rules are for. */
  node: RuleNode
  /** Every endpoint of the Service, on any node, in any condition (kube-proxy filters them). */
  endpoints: RuleEndpoint[]
  /** kube-proxy's `masqueradeAll` (KubeProxyConfiguration): SNAT every connection to the ClusterIP, whatever its source. @default false */
  masqueradeAll?: boolean
}

/** Renders the rules one kube-proxy sync writes, as `nft -f` or `iptables-restore` input. Pure. */
export type RenderRules = (input: RuleInput) => string

/** Loads rendered rules into a network namespace in one atomic transaction, replacing the previous ones. */
export type ApplyRules = (netns: string, mode: KernelProxyMode, text: string) => Promise<void>

/** New connections counted per endpoint (by endpoint name) since the rules were first applied. */
export type ReadDecisionCounters = (netns: string, mode: KernelProxyMode) => Promise<Record<string, number>>
