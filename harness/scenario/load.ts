/** Load a scenario file (.ts, .mts, .js, .mjs) and return its default export, unvalidated. */
import fs from 'node:fs'
import path from 'node:path'
import Module, { register } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ScenarioError } from '../errors.ts'

const INDEX_URL = new URL('../index.ts', import.meta.url).href
let hookInstalled = false

/**
 * Make `import ... from 'svcbench'` resolve to this checkout from a scenario file anywhere,
 * not only inside the package (where package self-reference already works).
 */
function installResolveHook(): void {
  if (hookInstalled) return
  hookInstalled = true
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === 'svcbench') return { url: ${JSON.stringify(INDEX_URL)}, shortCircuit: true }
    return next(specifier, context)
  }`
  register(`data:text/javascript,${encodeURIComponent(hook)}`)
  // A .ts file outside any "type": "module" package is loaded as CommonJS by tsx, and
  // require() does not go through the ESM hook above.
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string }
  const original = M._resolveFilename
  const indexPath = fileURLToPath(INDEX_URL)
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'svcbench' ? indexPath : original.call(this, request, ...rest)
  }
}

/** The default export of a scenario file. Throws ScenarioError when the file is missing or does not load. */
export async function loadScenarioFile(file: string): Promise<unknown> {
  const abs = path.resolve(file)
  if (!fs.existsSync(abs)) {
    throw new ScenarioError([{ path: 'scenario', message: `file ${JSON.stringify(file)} not found; expected a path to a scenario .ts file, e.g. scenarios/quickstart.ts` }])
  }
  if (!/\.(c|m)?(t|j)s$/.test(abs)) {
    throw new ScenarioError([{ path: 'scenario', message: `file ${JSON.stringify(file)} is not a .ts or .js file` }])
  }
  installResolveHook()
  let mod: { default?: unknown }
  try {
    const { tsImport } = await import('tsx/esm/api')
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as { default?: unknown }
  } catch (err) {
    throw new ScenarioError([{ path: 'scenario', message: `cannot load ${file}: ${(err as Error).message.split('\n')[0]}` }], { file })
  }
  let exported = mod.default
  // A CommonJS-compiled scenario arrives as { default: { default: scenario, __esModule } }.
  if (typeof exported === 'object' && exported !== null && 'default' in exported && ('__esModule' in exported || Object.keys(exported).length === 1)) {
    exported = (exported as { default: unknown }).default
  }
  if (exported === undefined) {
    throw new ScenarioError([{ path: 'export default', message: 'missing; expected `export default defineScenario({...})`' }], { file })
  }
  return exported
}
