/**
 * Your own server as the pods (`cluster.pod.command`): the command line, its folder and
 * environment checked on this machine, the built-in pod's fields refused, and how pods map onto
 * processes.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedCommand } from '../model/scenario.ts'
import { parseDurationMs } from '../util/duration.ts'
import { showValue } from '../util/text.ts'
import { faultDefinition } from '../faults/registry.ts'
import { commandPodActions } from '../faults/resolve.ts'
import { splitCommandLine } from './command-line.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

const BUILT_IN_POD_FIELDS = ['latencyMs', 'responseBytes', 'errorRate'] as const
const COMMAND_FIELDS = ['args', 'env', 'cwd', 'readinessPath', 'startupTimeout'] as const

/** Where {@link resolveCommand} reads from and reports to. */
export interface CommandContext {
  /** The raw `cluster.nodes` (explicit placement may carry built-in pod fields). */
  nodes: unknown
  /** The raw `faults`. */
  faults: unknown
  /** The scenario file: `cwd` is relative to its folder (else to the working directory). */
  scenarioFile: string | undefined
  /** Prefixes a field path with the variant's place in the scenario. */
  p: (s: string) => string
}

/** `cluster.pod.command` and its fields → ResolvedCommand, or null for svcbench's built-in pod. */
export function resolveCommand(pod: Obj, ctx: CommandContext, issues: ScenarioIssue[]): ResolvedCommand | null {
  const { p } = ctx
  if (pod.command === undefined) {
    for (const f of COMMAND_FIELDS) if (pod[f] !== undefined) issues.push({ path: p(`cluster.pod.${f}`), message: 'only applies with cluster.pod.command (your own server as the pods); set command or remove it' })
    return null
  }
  refuseBuiltInPodSettings(pod, ctx, issues)
  const line = typeof pod.command === 'string' ? splitCommandLine(pod.command) : null
  if (line === null || line.length === 0) {
    issues.push({ path: p('cluster.pod.command'), message: `got ${showValue(pod.command)}; expected a command line such as "node dist/server.js" (with closed quotes)` })
    return null
  }
  const argv = [...line, ...((pod.args as string[] | undefined) ?? [])]
  if (argv[0] === 'node') argv[0] = process.execPath
  const base = ctx.scenarioFile === undefined ? process.cwd() : path.dirname(path.resolve(ctx.scenarioFile))
  const cwd = path.resolve(base, (pod.cwd as string | undefined) ?? '.')
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) issues.push({ path: p('cluster.pod.cwd'), message: `got ${showValue(pod.cwd ?? '.')}; ${cwd} is not a folder; expected a folder relative to the scenario file` })
  const env = (pod.env as Record<string, string> | undefined) ?? {}
  for (const k of ['HOST', 'PORT']) if (k in env) issues.push({ path: p(`cluster.pod.env.${k}`), message: `svcbench sets ${k} (the pod's address and port); remove it` })
  return {
    argv,
    cwd,
    env,
    readinessPath: (pod.readinessPath as string | undefined) ?? D.DEFAULT_READINESS_PROBE.path,
    startupTimeoutMs: parseDurationMs(pod.startupTimeout) ?? D.DEFAULT_COMMAND_STARTUP_TIMEOUT_MS,
  }
}

/** With a command, the fields and faults that change how svcbench's own pod answers are issues. */
function refuseBuiltInPodSettings(pod: Obj, ctx: CommandContext, issues: ScenarioIssue[]): void {
  const { p } = ctx
  for (const f of BUILT_IN_POD_FIELDS) {
    if (pod[f] !== undefined) issues.push({ path: p(`cluster.pod.${f}`), message: `got ${showValue(pod[f])}; does not apply with cluster.pod.command (your server decides how it answers); remove it` })
  }
  if (Array.isArray(ctx.nodes)) {
    ctx.nodes.forEach((n: Obj, i) => {
      if (!Array.isArray(n?.pods)) return
      ;(n.pods as Obj[]).forEach((ps, j) => {
        for (const f of BUILT_IN_POD_FIELDS) if (ps?.[f] !== undefined) issues.push({ path: p(`cluster.nodes[${i}].pods[${j}].${f}`), message: 'does not apply with cluster.pod.command; only weight does' })
      })
    })
  }
  if (Array.isArray(ctx.faults)) {
    ctx.faults.forEach((f: Obj, i) => {
      // Faults that change how svcbench's pod answers cannot reach your own server.
      if (faultDefinition(f?.action)?.needsBuiltInPod === true) {
        issues.push({ path: p(`faults[${i}].action`), message: `got ${showValue(f.action)}; it needs svcbench's built-in pod; with cluster.pod.command use ${commandPodActions()}` })
      }
    })
  }
}

/** Pods above which `podProcesses: 'auto'` hosts a node's pods in one process. */
export const PER_POD_PROCESS_LIMIT = 64

/** `cluster.podProcesses`: one process per pod, or one pod host per node (built-in pods only). */
export function resolvePodProcesses(raw: unknown, replicas: number, command: ResolvedCommand | null, p: (s: string) => string, issues: ScenarioIssue[]): 'per-pod' | 'per-node' {
  if (command !== null) {
    if (raw === 'per-node') issues.push({ path: p('cluster.podProcesses'), message: 'got "per-node"; cluster.pod.command runs each replica as its own process; remove podProcesses or use "per-pod"' })
    return 'per-pod'
  }
  if (raw === 'per-pod' || raw === 'per-node') return raw
  return replicas > PER_POD_PROCESS_LIMIT ? 'per-node' : 'per-pod'
}
