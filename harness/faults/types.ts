/**
 * The fault seam (STYLE.md §9, after Toxiproxy's toxics): every fault action is one file with
 * one {@link FaultDefinition}: the fields it takes, how its target resolves, the free pod slots it
 * needs, what it does to a running cluster and the detection delay it predicts. registry.ts maps
 * action names to definitions.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { FaultAction, ResolvedFault, ResolvedProbe } from '../model/scenario.ts'
import type { PodFault } from '../model/wire.ts'

/** The optional fields of a fault, besides `at`, `action` and `target`, in the order they are checked. */
export const FAULT_FIELDS = ['latencyMs', 'errorRate', 'replicas', 'maxSurge', 'maxUnavailable'] as const
/** One optional field of a fault. */
export type FaultField = (typeof FAULT_FIELDS)[number]

/** What a resolved fault carries for a field its action does not take (or that was left out). */
export const FAULT_FIELD_DEFAULTS: Readonly<Record<FaultField, number>> = { latencyMs: 0, errorRate: 1, replicas: 0, maxSurge: 1, maxUnavailable: 0 }

/**
 * A fault as the scenario wrote it, after the schema: `at`, `action`, `target` and the optional
 * fields. Semantic checks also run on input the schema rejected, so nothing here is trusted.
 */
export type RawFault = Readonly<Record<string, unknown>>

/** What a fault's target resolves against: the variant's pods and nodes. */
export interface FaultResolveContext {
  /** The variant's pods in numbering order, with their nodes. */
  pods: readonly { name: string; node: string }[]
  /** The variant's node names, in order. */
  nodes: readonly string[]
  /** Seeded [0, 1) numbers for "random" targets: one stream per variant, drawn in file order. */
  rng: () => number
  /** Path of this fault in the scenario, for issues (e.g. `faults[2]`, with a variant's prefix). */
  path: string
}

/** The cluster's side of a fault: its processes (cluster/cluster.ts `Cluster` offers these). */
export interface FaultCluster {
  /** SIGKILL a pod's process; resolves with the kill time (Date.now()). */
  killPod(name: string): Promise<number>
  /** Start a killed pod (or a free slot) again; false if it was running or the cluster stopped. */
  restartPod(name: string): Promise<boolean>
  /** Change how a running pod answers (NO_FAULT recovers). */
  podFault(name: string, fault: PodFault): Promise<void>
  /** Delete a pod as the kubelet does (preStop, SIGTERM, SIGKILL at the grace period); resolves when it is gone. */
  deletePod(name: string, opts: { preStopMs: number; graceMs: number }): Promise<void>
  /** The node dies with its proxy and pods; resolves with the kill time (Date.now()). */
  killNode(name: string): Promise<number>
}

/** The endpoints controller's side (cluster/endpoints.ts `EndpointsController` offers these). */
export interface FaultEndpoints {
  /** The pod is being deleted: not ready, terminating. */
  deleting(pod: string): void
  /** The deleted pod is gone: its endpoint is removed. */
  gone(pod: string): void
  /** The pod's container started again: probe it afresh. */
  restarted(pod: string): void
  /** Resolves when the pod next turns ready. */
  whenReady(pod: string): Promise<void>
  /** The pods' node died: stop probing; mark them not ready `graceMs` later. */
  nodeLost(pods: string[], graceMs: number): void
}

/** What {@link FaultDefinition.fire} acts on, for one fault of one variant. */
export interface FaultTarget {
  cluster: FaultCluster
  controller: FaultEndpoints
  /** The Deployment's pods: slots with a running pod (scale and rolling updates change it). */
  running: Set<string>
  /** Free pod slots, the first used first (a deleted pod's slot returns here once it is gone). */
  free: string[]
  /** The kubelet's deletion: preStop sleep and terminationGracePeriod, ms. */
  deletion: { preStopMs: number; graceMs: number }
  /** --node-monitor-grace-period, ms. */
  nodeMonitorGracePeriodMs: number
  /**
   * Work the fault goes on with after fire() resolved (deletions, new pods): its failure, or its
   * not finishing by the end of the measured phase, is the fault's. `what` names it for the reason.
   */
  background(work: Promise<unknown>, what: string): void
}

/** Options of {@link FaultDefinition.expectedDetection}. */
export interface DetectionOptions {
  /** The front load balancer's health check, when there is one (kill-node is then detected by it). */
  lb?: { healthCheck: { intervalSeconds: number; timeoutSeconds: number; unhealthyThreshold: number }; /** False when no node can pass the check (no detection is expected). @default true */ checkCanPass?: boolean }
  /** Seconds before a dead node's pods are marked not ready. @default 40 */
  nodeMonitorGracePeriodSeconds?: number
}

/** Expected detection delay, seconds; null when nothing notices the fault. */
export type ExpectedDetection = { min: number; max: number } | null

/** One fault action: everything svcbench knows about it, in one place. */
export interface FaultDefinition {
  readonly action: FaultAction
  /** The optional fields it takes; any other one given is an issue. */
  readonly takes: readonly FaultField[]
  /** Fields it cannot do without, each with what it means (for the missing-field message). */
  readonly requires: Partial<Readonly<Record<FaultField, string>>>
  /** It changes how svcbench's built-in pod answers, so your own server (cluster.pod.command) cannot take it. */
  readonly needsBuiltInPod: boolean
  /** How it reaches your own server when that is worth saying (hang-pod: SIGSTOP). */
  readonly commandPodNote?: string
  /** A target it accepts in a scenario with nodes node-a, node-b and pods pod-1, pod-2 (docs and tests). */
  readonly exampleTarget: string | { node: string }
  /** The raw fault → a ResolvedFault (target parsed against `ctx`), pushing an issue for what does not fit. */
  resolve(raw: RawFault, ctx: FaultResolveContext, issues: ScenarioIssue[]): ResolvedFault
  /**
   * Free pod slots it needs with `running` pods in the Deployment when it fires, and how many run
   * after it; absent when it needs none and leaves the count alone.
   */
  podSlots?(fault: ResolvedFault, running: number): { added: number; running: number }
  /** Carry it out; resolves with when it took effect (Date.now()), rejects when it could not be. */
  fire(fault: ResolvedFault, target: FaultTarget): Promise<number>
  /** What the probe (or LB health check) arithmetic predicts for its detection delay. */
  expectedDetection(fault: ResolvedFault, probe: ResolvedProbe, propagationMs: number, opts: DetectionOptions): ExpectedDetection
}
