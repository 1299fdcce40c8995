/**
 * A UDP Service's part of the results (VariantResult.udp, FailoverResult.udp): per pod the
 * queries answered and the flows it was given, per client the pods that answered it, and per
 * fault what it cost the flows pinned to the dead endpoint. Types only.
 */

/** What a UDP Service's variant measured of its flows. */
export interface UdpResult {
  /** How the clients chose source ports: `fixed` (one per client, a resolver's socket) or `per-query`. */
  sourcePort: 'fixed' | 'per-query'
  /** Flows the nodes picked an endpoint for in the measured phase (conntrack entries: one pick each). */
  flows: number
  /** Per pod (pod order). */
  pods: {
    /** The pod's name. */
    name: string
    /** Queries it answered in the measured phase (pod-side: those it received less those it dropped). */
    queriesAnswered: number
    /** Flows the nodes pinned to it in the measured phase. */
    flows: number
  }[]
  /** Per client address, from the answers (each names its pod): which pods answered it, and how many of its queries were lost. */
  clients: {
    /** The client's source address. */
    client: string
    /** Pods that answered it, in name order ('' for answers naming none: a command pod's). */
    pods: string[]
    /** Its queries answered. */
    answered: number
    /** Its queries lost (no answer within the request timeout). Fixed source ports only; 0 per query. */
    lost: number
  }[]
  /** Clients answered by one pod only. */
  clientsOnOnePod: number
}

/** What one fault cost a UDP Service's flows (fixed source ports: a flow is a client's socket). */
export interface UdpFailover {
  /** Flows whose pod was one of the fault's pods when it struck (their last answer before it came from there). */
  flowsOnDeadEndpoint: number
  /** Of those, the flows that lost queries after it: stuck on the dead endpoint (UDP has no reset to move them). */
  flowsStuck: number
  /** Queries the stuck flows lost from the fault until the next fault (or the end). */
  queriesLost: number
  /** The last lost query of a stuck flow (its intended start), seconds since the measured phase began: where the blackhole ended; null without one. */
  lastLostSec: number | null
  /** Stuck flows that were later answered by another pod (their entry deleted or expired, a new pick), by the end of the measured phase. */
  flowsMoved: number
  /** When the last of them moved (its first answer from another pod), seconds since the measured phase began; null if none moved. */
  lastMovedAtSec: number | null
  /** Stuck flows answered again by the same pod (restarted on its address: the old entry still pointed there). */
  flowsBackOnSamePod: number
  /** Stuck flows never answered again before the measured phase ended. */
  flowsNeverAnswered: number
}
