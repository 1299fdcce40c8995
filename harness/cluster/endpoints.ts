/**
 * The endpoints controller: the kubelet's readiness probes plus the EndpointSlice path to every
 * node's kube-proxy. Each pod is probed with HTTP GET from its node's address every
 * periodSeconds (timeoutSeconds each); failureThreshold consecutive failures make it not ready,
 * successThreshold consecutive successes ready again (core/v1 Probe). A readiness flip reaches
 * the node proxies `propagationMs` later; until then they keep sending new connections to it.
 */
import { kubeletProbePasses, type KubeletProbe } from '../util/probe.ts'
import { HarnessError } from '../errors.ts'
import type { ResolvedProbe, ResolvedProbeHandler } from '../model/scenario.ts'
import { KUBE_PROBE_USER_AGENT } from '../model/wire.ts'
import type { EndpointEvent } from '../model/measurements.ts'

/** A pod the controller probes. */
export interface ProbedPod {
  name: string
  address: string
  port: number
  /** The pod's node address: probes come from the kubelet there. */
  nodeAddress: string
  /** The pod's node (where {@link EndpointsControllerOptions.httpGet} sends the probe from). @default unnamed */
  node?: string
  /** A free slot: no pod yet (it starts when a scale-up or rolling update fills it). */
  spare?: boolean
}

/** Options for {@link startEndpointsController}. */
export interface EndpointsControllerOptions {
  pods: ProbedPod[]
  probe: ResolvedProbe
  /** How the readiness probe runs: HTTP GET or TCP connect, on the pod port or its own. @default HTTP GET on the pod port */
  handler?: ResolvedProbeHandler
  /** After a restart, readiness is probed only once this has passed (core/v1 Probe; kubelet prober worker.go skips readiness until started). @default none */
  startupProbe?: (ResolvedProbe & ResolvedProbeHandler) | null
  propagationMs: number
  /**
   * Apply the ready and the serving-but-terminating sets on every node proxy. A rejection is a
   * harness failure (a live node could not take the update); see {@link EndpointsController.assertPublished}.
   */
  publish(ready: string[], terminating: string[]): Promise<void>
  onEvent?(e: EndpointEvent): void
  /** Uniform [0, 1) numbers for the probe timers' phases (seeded by the caller). */
  rng: () => number
  /**
   * Send the kubelet's probe of a pod from its node; true when it passed (the kernel dataplane
   * sends it from inside the node's namespace).
   * @default the probe from the node's address on this machine
   */
  probeFromNode?(pod: ProbedPod, probe: KubeletProbe): Promise<boolean>
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
  /** Every endpoint update the nodes could not take. */
  failures(): PublishFailure[]
  /**
   * Wait for the updates under way, then reject with a HarnessError `ENDPOINTS_PUBLISH_FAILED`
   * naming the first update that failed: the run's failover figures would be built on an
   * endpoint change the dataplane never made.
   */
  assertPublished(): Promise<void>
  stop(): void
}

/** An endpoint update that could not be applied. */
export interface PublishFailure {
  /** The pods whose change it carried. */
  changed: string[]
  ready: string[]
  terminating: string[]
  /** When it failed (Date.now()). */
  atMs: number
  /** Why (the dataplane's error message). */
  error: string
}

/** The kubelet's probe from the pod's node address on this machine. */
const localProbe = (pod: ProbedPod, p: KubeletProbe) => kubeletProbePasses(p, pod.nodeAddress)

function probeOnce(pod: ProbedPod, probe: ResolvedProbe, handler: Pick<ResolvedProbeHandler, 'type' | 'port'> | undefined, send = localProbe): Promise<boolean> {
  return send(pod, {
    type: handler?.type === 'tcpSocket' ? 'tcpSocket' : 'httpGet',
    host: pod.address,
    port: handler?.port ?? pod.port,
    path: probe.path,
    timeoutMs: probe.timeoutSeconds * 1000,
    headers: { 'user-agent': KUBE_PROBE_USER_AGENT },
  })
}

/** A pod's probe state as the kubelet keeps it. */
export interface PodProbeState {
  ready: boolean
  failures: number
  successes: number
  terminating: boolean
  /** Deleted, or a free slot with no pod yet: not an endpoint. */
  gone: boolean
}

/**
 * One probe's outcome on a pod's consecutive counts; the readiness change it makes, if any:
 * failureThreshold failures in a row make a ready pod not ready, successThreshold successes a
 * not-ready pod ready (core/v1 Probe).
 */
export function probeOutcome(s: PodProbeState, ok: boolean, probe: Pick<ResolvedProbe, 'failureThreshold' | 'successThreshold'>): 'ready' | 'not-ready' | null {
  if (ok) {
    s.successes++
    s.failures = 0
    if (!s.ready && s.successes >= probe.successThreshold) {
      s.ready = true
      return 'ready'
    }
  } else {
    s.failures++
    s.successes = 0
    if (s.ready && s.failures >= probe.failureThreshold) {
      s.ready = false
      return 'not-ready'
    }
  }
  return null
}

/** What the controller's parts share. */
interface ControllerCore {
  opts: EndpointsControllerOptions
  events: EndpointEvent[]
  state: Map<string, PodProbeState>
  /** A pod's probe loop generation: a restart starts a new loop and retires the old one. */
  generation: Map<string, number>
  /** Pods restarted whose startup probe has not passed yet: their readiness probe does not run. */
  starting: Set<string>
  emit(e: EndpointEvent): void
  /** Run `fn` in `ms` unless the controller stopped meanwhile. */
  later(ms: number, fn: () => void): void
  /** A pod's readiness changed: publish the sets propagationMs later. */
  flip(pod: string): void
  /** The pod's probe loop of generation `gen`: a probe every periodSeconds. */
  loop(pod: ProbedPod, gen: number): void
  whenReady(pod: string): Promise<void>
  /** Names of pods currently ready. */
  readyNow(): string[]
  failures: PublishFailure[]
  /** Updates under way. */
  pending: Set<Promise<void>>
  stop(): void
}

/** Start probing every pod (all start ready: the cluster checked them at start-up). */
export function startEndpointsController(opts: EndpointsControllerOptions): EndpointsController {
  const core = createCore(opts)
  // Each pod's probe clock starts at a random phase, as kubelet timers do relative to any fault.
  for (const pod of opts.pods) {
    if (pod.spare !== true) core.later(opts.probe.initialDelaySeconds * 1000 + opts.rng() * opts.probe.periodSeconds * 1000, () => core.loop(pod, 0))
  }
  return controllerApi(core)
}

/** The controller's state, timers, probe loops and publishing. */
function createCore(opts: EndpointsControllerOptions): ControllerCore {
  const events: EndpointEvent[] = []
  const readyWaiters = new Map<string, (() => void)[]>()
  const state = new Map(opts.pods.map((p): [string, PodProbeState] => [p.name, { ready: p.spare !== true, failures: 0, successes: 0, terminating: false, gone: p.spare === true }]))
  const generation = new Map(opts.pods.map((p) => [p.name, 0]))
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false
  const readyNow = () => opts.pods.filter((p) => state.get(p.name)?.ready === true).map((p) => p.name)
  const terminatingNow = () => opts.pods.filter((p) => state.get(p.name)?.terminating === true && state.get(p.name)?.gone !== true).map((p) => p.name)
  const core: ControllerCore = {
    opts,
    events,
    state,
    generation,
    emit(e) {
      events.push(e)
      opts.onEvent?.(e)
      if (e.type === 'ready') {
        for (const w of readyWaiters.get(e.pod) ?? []) w()
        readyWaiters.delete(e.pod)
      }
    },
    later(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t)
        if (!stopped) fn()
      }, ms)
      timers.add(t)
    },
    flip(pod) {
      // What the proxies get is the ready set at publish time, propagationMs after the flip.
      core.later(opts.propagationMs, () => {
        const set = readyNow()
        const term = terminatingNow()
        // A failed update is kept (which pods, why, when) and fails the run (assertPublished):
        // without it, detection would silently read as never.
        const p = opts.publish(set, term).then(
          () => core.emit({ type: 'published', ready: set, terminating: term, changed: [pod], atMs: Date.now() }),
          (err: unknown) => void core.failures.push({ changed: [pod], ready: set, terminating: term, atMs: Date.now(), error: err instanceof Error ? err.message : String(err) }),
        )
        core.pending.add(p)
        void p.finally(() => core.pending.delete(p))
      })
    },
    loop(pod, gen) {
      if (generation.get(pod.name) !== gen) return
      const s = state.get(pod.name)!
      // The readiness worker ticks from the container's start but probes only once it has started.
      if (core.starting.has(pod.name)) {
        core.later(opts.probe.periodSeconds * 1000, () => core.loop(pod, gen))
        return
      }
      void probeOnce(pod, opts.probe, opts.handler, opts.probeFromNode).then((ok) => {
        if (stopped || generation.get(pod.name) !== gen) return
        const change = probeOutcome(s, ok, opts.probe)
        if (change === null) return
        core.emit({ type: change, pod: pod.name, atMs: Date.now() })
        core.flip(pod.name)
      })
      // The kubelet's probe timer ticks every periodSeconds whatever the probe takes.
      core.later(opts.probe.periodSeconds * 1000, () => core.loop(pod, gen))
    },
    whenReady(name) {
      if (state.get(name)?.ready === true) return Promise.resolve()
      return new Promise((resolve) => readyWaiters.set(name, [...(readyWaiters.get(name) ?? []), resolve]))
    },
    readyNow,
    starting: new Set(),
    failures: [],
    pending: new Set(),
    stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
    },
  }
  return core
}

/**
 * A restarted pod's startup probe every periodSeconds until it passes (successThreshold is 1 for
 * a startup probe); then its readiness probe runs. The kubelet restarts a container whose startup
 * probe fails failureThreshold times; svcbench keeps probing (the pod stays not ready meanwhile).
 */
function startupLoop(core: ControllerCore, pod: ProbedPod, gen: number, startup: ResolvedProbe & ResolvedProbeHandler): void {
  if (core.generation.get(pod.name) !== gen) return
  void probeOnce(pod, startup, startup).then((ok) => {
    if (core.generation.get(pod.name) !== gen) return
    if (ok) core.starting.delete(pod.name)
    else core.later(startup.periodSeconds * 1000, () => startupLoop(core, pod, gen, startup))
  })
}

/** The controller's methods over its core: what the cluster's lifecycle events do to the endpoints. */
function controllerApi(core: ControllerCore): EndpointsController {
  const { opts, state, generation } = core
  return {
    events: () => [...core.events],
    ready: core.readyNow,
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
        core.emit({ type: 'not-ready', pod: name, atMs: Date.now() })
        core.flip(name)
      }
      const startup = opts.startupProbe
      if (startup != null) {
        core.starting.add(name)
        core.later(startup.initialDelaySeconds * 1000, () => startupLoop(core, pod, gen, startup))
      }
      core.later(opts.probe.initialDelaySeconds * 1000, () => core.loop(pod, gen))
    },
    whenReady: core.whenReady,
    failures: () => [...core.failures],
    async assertPublished() {
      await Promise.all([...core.pending])
      const f = core.failures[0]
      if (f === undefined) return
      const list = (xs: string[]) => (xs.length === 0 ? 'none' : xs.join(', '))
      const more = core.failures.length > 1 ? ` (and ${core.failures.length - 1} more)` : ''
      throw new HarnessError('ENDPOINTS_PUBLISH_FAILED', `the endpoint update for ${f.changed.join(', ')} (ready: ${list(f.ready)}; terminating: ${list(f.terminating)}) at ${new Date(f.atMs).toISOString()} was not applied${more}: ${f.error}`)
    },
    deleting(name) {
      const s = state.get(name)
      if (s === undefined || s.terminating) return
      generation.set(name, (generation.get(name) ?? 0) + 1) // a terminating pod is no longer probed
      s.ready = false
      s.terminating = true
      core.emit({ type: 'terminating', pod: name, atMs: Date.now() })
      core.flip(name)
    },
    gone(name) {
      const s = state.get(name)
      if (s === undefined || s.gone) return
      s.gone = true
      s.ready = false
      core.emit({ type: 'removed', pod: name, atMs: Date.now() })
      core.flip(name)
    },
    nodeLost(names, graceMs) {
      for (const name of names) generation.set(name, (generation.get(name) ?? 0) + 1) // stop probing
      core.later(graceMs, () => {
        for (const name of names) {
          const s = state.get(name)
          if (s?.ready === true) {
            s.ready = false
            core.emit({ type: 'not-ready', pod: name, atMs: Date.now() })
            core.flip(name)
          }
        }
      })
    },
    stop: core.stop,
  }
}
