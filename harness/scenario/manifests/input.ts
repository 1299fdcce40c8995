/**
 * A manifests input → Kubernetes objects: one file (multi-document YAML or JSON), or a folder
 * (every .yaml, .yml and .json file in it, sorted by name, as `kubectl apply -f DIR` reads them).
 * `kind: List` (and `<Kind>List`) is unwrapped. A kustomization or a Helm chart or template is
 * not rendered here: it is refused with the command that renders it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'
import { ScenarioError, type ScenarioIssue } from '../../errors.ts'
import { isPlainObject } from '../../util/merge.ts'

type Obj = Record<string, unknown>

/** The objects of an input, each with the file it came from (as shown in messages). */
export interface ManifestInput {
  objects: Obj[]
  /** The shown file of each object (the input itself, or `<folder>/<file>`). */
  fileOf: Map<Obj, string>
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i
// Files kustomize reads as a kustomization (api/konfig: RecognizedKustomizationFileNames).
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
// Template actions only a Helm chart has ({{ .Values.x }}, {{- include … }}, {{ if … }}); a rendered
// file may still hold other {{ … }} (Prometheus alert templates use {{ $labels.x }}, {{ $value }}).
const HELM_ACTION = /\{\{-?\s*(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|(?:include|template|if|range|with|define|toYaml|end)\b)/

const issue = (where: string, message: string): ScenarioError => new ScenarioError([{ path: where, message }])

function kustomizeHint(dir: string): string {
  return `a kustomization is not rendered by svcbench; render it first: kubectl kustomize ${dir} > app.yaml, then --manifests app.yaml`
}

function helmHint(chart: string): string {
  return `a Helm chart is not rendered by svcbench; render it first: helm template RELEASE ${chart} > app.yaml, then --manifests app.yaml`
}

/** The chart folder a template file belongs to (a parent with Chart.yaml), for the hint. */
function chartOf(file: string, shown: string): string {
  let dir = path.dirname(file)
  let shownDir = path.dirname(shown)
  for (let i = 0; i < 3; i++) {
    if (fs.existsSync(path.join(dir, 'Chart.yaml'))) return shownDir
    dir = path.dirname(dir)
    shownDir = path.dirname(shownDir)
  }
  return 'CHART'
}

/** Read `file` (shown in messages as `shown`): a file or a folder. Throws ScenarioError (exit 2). */
export function readInput(file: string, shown: string): ManifestInput {
  if (!fs.existsSync(file)) throw issue('manifests', `file ${JSON.stringify(shown)} not found; expected a Kubernetes YAML file`)
  const out: ManifestInput = { objects: [], fileOf: new Map() }
  const issues: ScenarioIssue[] = []
  if (fs.statSync(file).isDirectory()) {
    const names = fs.readdirSync(file).sort()
    const kustomization = names.find((n) => KUSTOMIZATION_FILES.includes(n))
    if (kustomization !== undefined) throw issue(path.join(shown, kustomization), kustomizeHint(shown))
    if (names.includes('Chart.yaml')) throw issue(path.join(shown, 'Chart.yaml'), helmHint(shown))
    const files = names.filter((n) => MANIFEST_EXT.test(n) && fs.statSync(path.join(file, n)).isFile())
    if (files.length === 0) throw issue(shown, 'folder has no .yaml, .yml or .json file; expected Kubernetes manifests')
    for (const n of files) readFile(path.join(file, n), path.join(shown, n), out, issues)
  } else {
    if (KUSTOMIZATION_FILES.includes(path.basename(file))) throw issue(shown, kustomizeHint(path.dirname(shown)))
    readFile(file, shown, out, issues)
  }
  if (issues.length > 0) throw new ScenarioError(issues)
  return out
}

/** Parse one file's documents into `out`; problems go to `issues`. */
function readFile(file: string, shown: string, out: ManifestInput, issues: ScenarioIssue[]): void {
  const text = fs.readFileSync(file, 'utf8')
  if (HELM_ACTION.test(text)) {
    issues.push({ path: shown, message: `looks like a Helm template (it has {{ … }} actions); ${helmHint(chartOf(file, shown))}` })
    return
  }
  parseAllDocuments(text).forEach((d, index) => {
    const where = `${shown}: document ${index + 1}`
    if (d.errors.length > 0) {
      for (const e of d.errors) issues.push({ path: where, message: `malformed YAML: ${e.message.split('\n')[0]}` })
      return
    }
    const js: unknown = d.toJS()
    if (js === null || js === undefined) return
    if (!isPlainObject(js) || typeof js.kind !== 'string') {
      issues.push({ path: where, message: 'expected a Kubernetes object with apiVersion and kind' })
      return
    }
    if (js.kind === 'Kustomization') {
      issues.push({ path: shown, message: kustomizeHint(path.dirname(shown)) })
      return
    }
    for (const o of unwrapList(js, where, issues)) {
      out.objects.push(o)
      out.fileOf.set(o, shown)
    }
  })
}

/** A `kind: List` (or `ServiceList`, …) as its items, recursively; any other object as itself. */
function unwrapList(o: Obj, where: string, issues: ScenarioIssue[]): Obj[] {
  if (!/List$/.test(o.kind as string) || !Array.isArray(o.items)) return [o]
  return o.items.flatMap((item, i) => {
    if (isPlainObject(item) && typeof item.kind === 'string') return unwrapList(item, where, issues)
    issues.push({ path: `${where}: items[${i}]`, message: 'expected a Kubernetes object with apiVersion and kind' })
    return []
  })
}
