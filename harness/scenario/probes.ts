/**
 * cluster.pod.readinessProbe and startupProbe → resolved probes with core/v1 Probe defaults and
 * their handlers: httpGet and tcpSocket run as written; exec and grpc cannot run here and are
 * run as an HTTP GET of the path with the probe's own timings, marked by `writtenAs`.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ProbeType, ResolvedCommand, ResolvedProbe, ResolvedProbeHandler } from '../model/scenario.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

const PROBE_KEYS = ['path', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold', 'initialDelaySeconds'] as const

/** One probe: timings and path over the defaults, and how it is run. */
function resolveProbe(raw: Obj, defaultPath: string, podPort: number): ResolvedProbe & ResolvedProbeHandler {
  const own = Object.fromEntries(PROBE_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])) as Partial<ResolvedProbe>
  const writtenAs = (raw.type as ProbeType | undefined) ?? 'httpGet'
  const port = raw.port as number | undefined
  return {
    ...D.DEFAULT_READINESS_PROBE,
    path: defaultPath,
    ...own,
    type: writtenAs === 'tcpSocket' ? 'tcpSocket' : 'httpGet',
    writtenAs,
    port: port === undefined || port === podPort ? null : port,
  }
}

/** The resolved readiness probe, its handler, and the startup probe (null without one). */
export function resolveProbes(
  pod: Obj,
  ctx: { command: ResolvedCommand | null; podPort: number; p: (s: string) => string },
  issues: ScenarioIssue[],
): { readinessProbe: ResolvedProbe; readinessProbeHandler: ResolvedProbeHandler; startupProbe: (ResolvedProbe & ResolvedProbeHandler) | null } {
  const defaultPath = ctx.command === null ? D.DEFAULT_READINESS_PROBE.path : ctx.command.readinessPath
  const { type, writtenAs, port, ...readinessProbe } = resolveProbe((pod.readinessProbe ?? {}) as Obj, defaultPath, ctx.podPort)
  const rawStartup = pod.startupProbe as Obj | undefined
  // core/v1 validation: a startup probe's successThreshold must be 1.
  if (rawStartup?.successThreshold !== undefined && rawStartup.successThreshold !== 1) {
    issues.push({ path: ctx.p('cluster.pod.startupProbe.successThreshold'), message: `got ${String(rawStartup.successThreshold)}; expected 1 (Kubernetes requires it of a startup probe)` })
  }
  return {
    readinessProbe,
    readinessProbeHandler: { type, writtenAs, port },
    startupProbe: rawStartup === undefined ? null : resolveProbe(rawStartup, readinessProbe.path, ctx.podPort),
  }
}
