/**
 * No unused dependency (issue #12): every dependency and devDependency in package.json is
 * imported (import, import(), require, require.resolve) by a file under harness/, test/,
 * scenarios/ or native/, or run as a binary by a package.json script or .ci/run. Binaries and
 * packages read as files are listed here explicitly, and each listing is checked against the
 * file that uses it, so the lists cannot keep a dependency alive on their own.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const SOURCE_DIRS = ['harness', 'test', 'scenarios', 'native']
const SOURCE_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs']

/** Binaries the scripts and .ci/run call, by the package that provides each. */
const BINARIES: Record<string, string> = { tsc: 'typescript', vitest: 'vitest', depcruise: 'dependency-cruiser', tsx: 'tsx' }

/** Packages whose files are read rather than imported, and the file that reads them (by the quoted name). */
const READ_AS_FILES: Record<string, string> = { 'vega-embed': 'harness/report/write.ts' }

interface PackageJson {
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson
const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions?: { types?: string[] } }

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p)
    return SOURCE_EXTENSIONS.some((x) => e.name.endsWith(x)) ? [p] : []
  })
}

/** The package a module specifier names (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`); undefined for relative paths and builtins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

const IMPORT_PATTERNS = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g,
  /--import[\s=]+([^\s'"]+)/g,
]

/** Packages `text` imports. */
export function importedPackages(text: string): Set<string> {
  const out = new Set<string>()
  for (const re of IMPORT_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const name = packageOf(m[1] as string)
      if (name !== undefined) out.add(name)
    }
  }
  return out
}

/** Binaries of BINARIES that `command` runs (as a word of the command line). */
function binariesIn(command: string): string[] {
  return Object.keys(BINARIES).filter((bin) => new RegExp(`(^|[\\s;&|(])${bin}(?=\\s|$)`, 'm').test(command))
}

/** Everything that counts as using a package, gathered from the tree. */
function usage(): { imported: Set<string>; binaries: Set<string>; readAsFiles: Set<string>; types: Set<string> } {
  const imported = new Set<string>()
  for (const f of SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d)))) for (const p of importedPackages(fs.readFileSync(f, 'utf8'))) imported.add(p)
  const commands = [...Object.values(pkg.scripts ?? {}), fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')]
  for (const c of commands) for (const p of importedPackages(c)) imported.add(p)
  const binaries = new Set(commands.flatMap(binariesIn).map((bin) => BINARIES[bin] as string))
  const readAsFiles = new Set(Object.entries(READ_AS_FILES).filter(([name, file]) => fs.readFileSync(path.join(ROOT, file), 'utf8').includes(`'${name}'`)).map(([name]) => name))
  return { imported, binaries, readAsFiles, types: new Set(tsconfig.compilerOptions?.types ?? []) }
}

/**
 * The names in `deps` nothing uses. A type package `@types/x` is used when x is (imported, or
 * listed in tsconfig's compilerOptions.types, as `node` is).
 */
export function unusedDependencies(deps: readonly string[], u = usage()): string[] {
  const used = (name: string): boolean => {
    if (u.imported.has(name) || u.binaries.has(name) || u.readAsFiles.has(name)) return true
    const typed = /^@types\/(.+)$/.exec(name)?.[1]
    if (typed === undefined) return false
    const target = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed
    return u.types.has(typed) || used(target)
  }
  return deps.filter((d) => !used(d))
}

const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]

describe('package.json dependencies', () => {
  it('uses every dependency and devDependency', () => {
    expect(unusedDependencies(declared), 'unused: remove them (npm uninstall <name>) or use them').toEqual([])
  })
  it('names a dependency nothing uses', () => {
    expect(unusedDependencies([...declared, 'left-pad-not-a-dependency', '@types/left-pad-not-a-dependency'])).toEqual(['left-pad-not-a-dependency', '@types/left-pad-not-a-dependency'])
  })
  it('lists only binaries of declared, installed packages, and files that really read their package', () => {
    for (const [bin, name] of Object.entries(BINARIES)) {
      expect(declared, `${bin} comes from ${name}`).toContain(name)
      expect(fs.existsSync(path.join(ROOT, 'node_modules', '.bin', bin)), `node_modules/.bin/${bin}`).toBe(true)
    }
    expect(usage().readAsFiles).toEqual(new Set(Object.keys(READ_AS_FILES)))
  })
  it.each([
    ["import x from 'yaml'", ['yaml']],
    ["import type { A } from '@scope/pkg/sub/path.js'", ['@scope/pkg']],
    ["export { a } from 'zod'", ['zod']],
    ["import 'side-effect'", ['side-effect']],
    ["await import('tsx/esm/api')", ['tsx']],
    ["require.resolve('vega')", ['vega']],
    ['node --import tsx harness/bench/proxy.ts', ['tsx']],
    ["import fs from 'node:fs'; import a from './a.ts'", []],
  ])('importedPackages(%j) = %j', (text, expected) => {
    expect([...importedPackages(text)]).toEqual(expected)
  })
})
