/**
 * Balancing decisions per pod as the node proxies made them, what the configuration predicts for
 * them (predict.ts) and whether the observed split fits (Pearson χ², fairness.ts), with the
 * fairness figures of the pod-side counts. Pure.
 */
import { jainIndex, coefficientOfVariation, maxOverMean, chiSquaredP } from './fairness.ts'
import { predictShares, decisionUnit, type PredictInput, type PredictPod, type Prediction } from './predict.ts'
import { round6 } from './round.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { VariantResult } from '../model/results.ts'
import type { VariantMeasurements } from './types.ts'

/** chiSquaredP below this rejects the prediction. */
export const PREDICTION_ALPHA = 0.01

/** The decisions, their prediction and the χ² p-value of the one against the other. */
export interface BalancingDecisions {
  /** Decisions per pod, in topology order (distinct (client, pod) pairs when the unit is clients). */
  decisions: number[]
  prediction: Prediction
  /** The unit of decision is the client address (hashing on it, or ClientIP affinity). */
  unitIsClients: boolean
  /** χ² p-value of `decisions` against the prediction; null without a prediction. */
  p: number | null
}

type FairnessInput = Pick<PredictInput, 'algorithm' | 'flags' | 'balancing' | 'sessionAffinity' | 'protocol'>

function fairnessInputOf(v: ResolvedVariant): FairnessInput {
  const flags = { hashPort: v.service.ipvsFlags.some((f) => f.endsWith('-port')), fallback: v.service.ipvsFlags.some((f) => f.endsWith('-fallback')) }
  return { algorithm: v.service.algorithm, flags, balancing: v.service.balancing, sessionAffinity: v.service.sessionAffinity === 'ClientIP', protocol: v.service.protocol }
}

/** Decisions per pod over every node's proxy: per (client, pod) pair with unit clients, else as counted. */
function decisionsPerPod(m: Pick<VariantMeasurements, 'topology' | 'proxies'>, unitIsClients: boolean): number[] {
  const podIndex = new Map(m.topology.pods.map((p, i) => [p.name, i]))
  const decisions = m.topology.pods.map(() => 0)
  for (const px of m.proxies) {
    if (unitIsClients) {
      for (const perPod of Object.values(px.byClient)) {
        for (const [pod, n] of Object.entries(perPod)) {
          const i = podIndex.get(pod)
          if (n > 0 && i !== undefined) decisions[i] = (decisions[i] ?? 0) + 1
        }
      }
    } else {
      for (const [pod, n] of Object.entries(px.byPod)) {
        const i = podIndex.get(pod)
        if (i !== undefined) decisions[i] = (decisions[i] ?? 0) + n
      }
    }
  }
  return decisions
}

/** What the configuration predicts for the decisions the nodes made; withheld when faults or endpoint updates changed the set. */
function predictionFor(m: VariantMeasurements, input: FairnessInput): Prediction {
  const v = m.variant
  const proxyByNode = new Map(m.proxies.map((p) => [p.node, p]))
  const prediction = predictShares({
    ...input,
    hashSeed: m.hashSeed,
    // The policy the clients' traffic is under: internal for client pods at the ClusterIP.
    externalTrafficPolicy: v.load.from === 'cluster' ? v.service.internalTrafficPolicy : v.service.externalTrafficPolicy,
    runMs: v.load.warmupMs + v.load.durationMs,
    pods: m.topology.pods.map((p): PredictPod => ({
      name: p.name,
      address: p.address,
      port: p.port,
      node: p.node,
      weight: p.spec.weight,
      behaviourKey: JSON.stringify([p.spec.latency, p.spec.responseBytes, p.spec.errorRate]),
    })),
    nodes: m.topology.nodes.map((n) => {
      const px = proxyByNode.get(n.name)
      return {
        name: n.name,
        address: n.address,
        decisions: px?.decisions ?? 0,
        clients: Object.keys(px?.byClient ?? {}),
        peakConnections: px?.peakConnections,
        realServers: px?.realServers?.map((rs) => rs.name),
      }
    }),
  })
  // A prediction assumes one endpoint set for the whole run; endpoint updates (faults) void it.
  const updates = (m.events ?? []).filter((e) => e.type === 'published').length
  const faults = (m.faults ?? []).length
  if (updates > 0 || faults > 0) {
    prediction.expectedShares = null
    prediction.expectedCounts = null
    prediction.basis =
      faults > 0
        ? `no static prediction: ${faults} fault${faults === 1 ? '' : 's'} changed who could take traffic during the run`
        : `no static prediction: the endpoint set changed ${updates} time${updates === 1 ? '' : 's'} during the run`
  }
  return prediction
}

/** The variant's balancing decisions and how they compare with the prediction. */
export function balancingDecisions(m: VariantMeasurements): BalancingDecisions {
  const input = fairnessInputOf(m.variant)
  const unitIsClients = decisionUnit(input) === 'clients'
  const decisions = decisionsPerPod(m, unitIsClients)
  const prediction = predictionFor(m, input)
  const p = prediction.expectedShares === null ? null : chiSquaredP(decisions, prediction.expectedShares)
  return { decisions, prediction, unitIsClients, p }
}

/** The results' fairness section: indices of the pod-side `counts`, decisions and the prediction's verdict. */
export function fairnessSummary(counts: readonly number[], d: BalancingDecisions): VariantResult['fairness'] {
  const { prediction, p } = d
  return {
    jain: round6(jainIndex(counts)),
    cov: round6(coefficientOfVariation(counts)),
    maxOverMean: round6(maxOverMean(counts)),
    unit: prediction.unit,
    decisions: d.decisions,
    expectedShares: prediction.expectedShares === null ? null : prediction.expectedShares.map(round6),
    chiSquaredP: p === null ? null : p < 1e-12 ? 0 : round6(p),
    fitsPrediction: p === null ? null : p >= PREDICTION_ALPHA,
    basis: prediction.basis,
  }
}
