/**
 * The interface between the kernel dataplane (harness/dataplane/kernel/) and the renderers of
 * kube-proxy's rules (this folder): pure functions that write one node's ruleset from the same
 * Service and EndpointSlice state kube-proxy's proxiers sync from (pkg/proxy/nftables/proxier.go,
 * pkg/proxy/iptables/proxier.go), a way to apply it atomically inside a node's network namespace,
 * and the per-endpoint counters of new connections. Types only.
 */

/** kube-proxy modes the kernel dataplane runs (KubeProxyConfiguration `mode`). */
export type KernelProxyMode = 'nftables' | 'iptables'

/** One endpoint as an EndpointSlice carries it to kube-proxy (KEP-1669 conditions). */
export interface RuleEndpoint { name: string; address: string; port: number; node: string; ready: boolean; serving: boolean; terminating: boolean }

/** The Service kube-proxy writes rules for. */
export interface RuleService { name: string; namespace: string; protocol: 'TCP' | 'UDP'; clusterIP: string | null; port: number; targetPort: number; nodePort: number | null; externalTrafficPolicy: 'Cluster' | 'Local'; internalTrafficPolicy: 'Cluster' | 'Local'; sessionAffinityTimeoutSeconds: number | null; healthCheckNodePort: number | null }

/** The node whose kube-proxy writes the rules: its name, its addresses, its pod CIDR and the cluster's (`--cluster-cidr`). */
export interface RuleNode { name: string; addresses: string[]; podCidr: string; clusterCidr: string }

/** Everything one node's ruleset is rendered from. */
export interface RuleInput { mode: KernelProxyMode; service: RuleService; node: RuleNode; endpoints: RuleEndpoint[] }

/** The node's whole ruleset as `nft -f` (nftables) or `iptables-restore` (iptables) input. Pure. */
export type RenderRules = (input: RuleInput) => string

/** Apply a rendered ruleset inside network namespace `netns` in one transaction (`nft -f`, `iptables-restore`). */
export type ApplyRules = (netns: string, mode: KernelProxyMode, text: string) => Promise<void>

/** New connections counted per endpoint (by endpoint name) since the rules were first applied. */
export type ReadDecisionCounters = (netns: string, mode: KernelProxyMode) => Promise<Record<string, number>>
