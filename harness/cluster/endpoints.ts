/**
 * The endpoints controller: the kubelet's readiness probes plus the EndpointSlice path to every
 * node's kube-proxy. Each pod is probed with HTTP GET from its node's address every
 * periodSeconds (timeoutSeconds each); failureThreshold consecutive failures make it not ready,
 * successThreshold consecutive successes ready again (core/v1 Probe). A readiness flip reaches
 * the node proxies `propagationMs` later; until then they keep sending new connections to it.
 */
import { httpGetStatus } from '../util/probe.ts'
import type { ResolvedProbe } from '../model/scenario.ts'
import type { EndpointEvent } from '../model/measurements.ts'

/** A pod the controller probes. */
export interface ProbedPod {
  name: string
  address: string
  port: number
  /** The pod's node address: probes come from the kubelet there. */
  nodeAddress: string
  /** A free slot: no pod yet (it starts when a scale-up or rolling update fills it). */
  spare?: boolean
}

/** Options for {@link startEndpointsController}. */
export interface EndpointsControllerOptions {
  pods: ProbedPod[]
  probe: ResolvedProbe
  propagationMs: number
  /** Apply the ready and the serving-but-terminating sets on every node proxy. */
  publish(ready: string[], terminating: string[]): Promise<void>
  onEvent?(e: EndpointEvent): void
  /** Uniform [0, 1) numbers for the probe timers' phases (seeded by the caller). */
  rng: () => number
}

/** A running controller. */
export interface EndpointsController {
  /** Every event so far. */
  events(): EndpointEvent[]
  /** Names of pods currently ready (as the controller sees them, before propagation). */
  ready(): string[]
  /**
   * A pod's container was restarted: like the kubelet's new probe worker, it starts not ready and
   * is probed from scratch (first probe after initialDelaySeconds).
   */
  restarted(pod: string): void
  /**
   * The pods' node died: nobody probes them any more (their kubelet is gone) and their last
   * reported state stands until the node controller marks them not ready `graceMs` later.
   */
  nodeLost(pods: string[], graceMs: number): void
  /** The pod is being deleted: not ready, terminating (still serving until it exits). */
  deleting(pod: string): void
  /** The deleted pod is gone: its endpoint is removed. */
  gone(pod: string): void
  /** Resolves when `pod` next turns ready (or at once if it is). */
  whenReady(pod: string): Promise<void>
  stop(): void
}

async function probeOnce(pod: ProbedPod, probe: ResolvedProbe): Promise<boolean> {
  const status = await httpGetStatus({ host: pod.address, port: pod.port, path: probe.path, localAddress: pod.nodeAddress, timeoutMs: probe.timeoutSeconds * 1000 })
  // Kubernetes: any status from 200 to 399 is a success.
  return status !== undefined && status >= 200 && status < 400
}

/** Start probing every pod (all start ready: the cluster checked them at start-up). */
export function startEndpointsController(opts: EndpointsControllerOptions): EndpointsController {
  const events: EndpointEvent[] = []
  const readyWaiters = new Map<string, (() => void)[]>()
  const emit = (e: EndpointEvent) => {
    events.push(e)
    opts.onEvent?.(e)
    if (e.type === 'ready') {
      for (const w of readyWaiters.get(e.pod) ?? []) w()
      readyWaiters.delete(e.pod)
    }
  }
  const state = new Map(opts.pods.map((p) => [p.name, { ready: p.spare !== true, failures: 0, successes: 0, terminating: false, gone: p.spare === true }]))
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      if (!stopped) fn()
    }, ms)
    timers.add(t)
  }
  const readyNow = () => opts.pods.filter((p) => state.get(p.name)?.ready === true).map((p) => p.name)
  const terminatingNow = () => opts.pods.filter((p) => state.get(p.name)?.terminating === true && state.get(p.name)?.gone !== true).map((p) => p.name)

  const flip = (pod: string) => {
    // What the proxies get is the ready set at publish time, propagationMs after the flip.
    later(opts.propagationMs, () => {
      const set = readyNow()
      const term = terminatingNow()
      void opts.publish(set, term).then(
        () => emit({ type: 'published', ready: set, terminating: term, changed: [pod], atMs: Date.now() }),
        () => {}, // a proxy that died is reported by the cluster
      )
    })
  }

  // A pod's probe loop generation: a restart starts a new loop and retires the old one.
  const generation = new Map(opts.pods.map((p) => [p.name, 0]))
  const loop = (pod: ProbedPod, gen: number) => {
    if (generation.get(pod.name) !== gen) return
    const s = state.get(pod.name)!
    void probeOnce(pod, opts.probe).then((ok) => {
      if (stopped || generation.get(pod.name) !== gen) return
      if (ok) {
        s.successes++
        s.failures = 0
        if (!s.ready && s.successes >= opts.probe.successThreshold) {
          s.ready = true
          emit({ type: 'ready', pod: pod.name, atMs: Date.now() })
          flip(pod.name)
        }
      } else {
        s.failures++
        s.successes = 0
        if (s.ready && s.failures >= opts.probe.failureThreshold) {
          s.ready = false
          emit({ type: 'not-ready', pod: pod.name, atMs: Date.now() })
          flip(pod.name)
        }
      }
    })
    // The kubelet's probe timer ticks every periodSeconds whatever the probe takes.
    later(opts.probe.periodSeconds * 1000, () => loop(pod, gen))
  }

  // Each pod's probe clock starts at a random phase, as kubelet timers do relative to any fault.
  for (const pod of opts.pods) {
    if (pod.spare !== true) later(opts.probe.initialDelaySeconds * 1000 + opts.rng() * opts.probe.periodSeconds * 1000, () => loop(pod, 0))
  }

  return {
    events: () => [...events],
    ready: readyNow,
    restarted(name) {
      const pod = opts.pods.find((p) => p.name === name)
      const s = state.get(name)
      if (pod === undefined || s === undefined) return
      const gen = (generation.get(name) ?? 0) + 1
      generation.set(name, gen)
      s.failures = 0
      s.successes = 0
      s.terminating = false
      s.gone = false
      if (s.ready) {
        s.ready = false
        emit({ type: 'not-ready', pod: name, atMs: Date.now() })
        flip(name)
      }
      later(opts.probe.initialDelaySeconds * 1000, () => loop(pod, gen))
    },
    whenReady(name) {
      if (state.get(name)?.ready === true) return Promise.resolve()
      return new Promise((resolve) => readyWaiters.set(name, [...(readyWaiters.get(name) ?? []), resolve]))
    },
    deleting(name) {
      const s = state.get(name)
      if (s === undefined || s.terminating) return
      generation.set(name, (generation.get(name) ?? 0) + 1) // a terminating pod is no longer probed
      s.ready = false
      s.terminating = true
      emit({ type: 'terminating', pod: name, atMs: Date.now() })
      flip(name)
    },
    gone(name) {
      const s = state.get(name)
      if (s === undefined || s.gone) return
      s.gone = true
      s.ready = false
      emit({ type: 'removed', pod: name, atMs: Date.now() })
      flip(name)
    },
    nodeLost(names, graceMs) {
      for (const name of names) generation.set(name, (generation.get(name) ?? 0) + 1) // stop probing
      later(graceMs, () => {
        for (const name of names) {
          const s = state.get(name)
          if (s?.ready === true) {
            s.ready = false
            emit({ type: 'not-ready', pod: name, atMs: Date.now() })
            flip(name)
          }
        }
      })
    },
    stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
    },
  }
}
