/**
 * What crosses the process boundary between the kernel dataplane and its children in the run's
 * namespaces: the node agent's config, and a load result with its histograms as text. Types and
 * two pure conversions.
 */
import { decodeLatencyHistogram, encodeLatencyHistogram, type EncodedLatencyHistogram } from '../../stats/latency.ts'
import type { LoadResult } from '../../model/measurements.ts'

/** Configuration of a node agent (node-agent.ts), inside its node's namespace. */
export interface NodeAgentConfig {
  node: string
  /** The node's address: the kubelet's probes come from it, kube-proxy's health check listens on it. */
  address: string
  /** kube-proxy's health check port of the Service (LoadBalancer with externalTrafficPolicy Local); null: none. */
  healthCheckNodePort: number | null
  /** The Service's namespace and name, as the health check's JSON names it. */
  service: { namespace: string; name: string }
}

/** A LoadResult as plain data: every histogram encoded (the open model's service latency and schedule lag too). */
export type EncodedLoadResult = Omit<LoadResult, 'latency' | 'perSecondHistograms' | 'serviceLatency' | 'scheduleLag'> & {
  latency: EncodedLatencyHistogram
  perSecondHistograms: EncodedLatencyHistogram[]
  serviceLatency?: EncodedLatencyHistogram
  scheduleLag?: EncodedLatencyHistogram | null
}

/** `r` as plain data (its histograms encoded). */
export function encodeLoadResult(r: LoadResult): EncodedLoadResult {
  const { serviceLatency, scheduleLag, ...rest } = r
  return {
    ...rest,
    latency: encodeLatencyHistogram(r.latency),
    perSecondHistograms: r.perSecondHistograms.map(encodeLatencyHistogram),
    ...(serviceLatency === undefined ? {} : { serviceLatency: encodeLatencyHistogram(serviceLatency) }),
    ...(scheduleLag === undefined ? {} : { scheduleLag: scheduleLag === null ? null : encodeLatencyHistogram(scheduleLag) }),
  }
}

/** The LoadResult {@link encodeLoadResult} wrote. */
export function decodeLoadResult(e: EncodedLoadResult): LoadResult {
  const { serviceLatency, scheduleLag, ...rest } = e
  return {
    ...rest,
    latency: decodeLatencyHistogram(e.latency),
    perSecondHistograms: e.perSecondHistograms.map(decodeLatencyHistogram),
    ...(serviceLatency === undefined ? {} : { serviceLatency: decodeLatencyHistogram(serviceLatency) }),
    ...(scheduleLag === undefined ? {} : { scheduleLag: scheduleLag === null ? null : decodeLatencyHistogram(scheduleLag) }),
  }
}
