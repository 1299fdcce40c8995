/**
 * `npm run docs`: writes the generated sections of the documentation from the code, so the
 * reference cannot drift from it. A section sits between `<!-- generated:<name> -->` and
 * `<!-- /generated:<name> -->`; everything outside the markers is written by hand.
 *
 * - `cli`: docs/cli.md's flag table, from FLAGS in args.ts;
 * - `exit-codes`: the exit-code table (docs/cli.md, README.md), from EXIT in exit-codes.ts;
 * - `manifests`: docs/own-service.md's list of the manifest fields read, the annotations and the
 *   kinds skipped, from manifests/fields.ts and manifests/lb.ts;
 * - `results`: docs/results.md's field reference, from the TSDoc of RunResult and every interface
 *   of the results schema's files (RESULTS_FILES) it reaches, read with the TypeScript compiler API;
 *   the section ends with verify.json's, the same from VerifyResult (model/verify.ts).
 *
 * `--check` writes nothing and exits 1 when a committed section differs (test/docs/docs.test.ts
 * checks the same).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { FLAGS, FLAG_GROUPS, flagSynopsis, type FlagGroup } from './args.ts'
import { exitCodes } from './exit-codes.ts'
import { FIELD_GROUPS, MANIFEST_FIELDS, READ_KINDS, SKIPPED_KINDS, type FieldGroup } from '../scenario/manifests/fields.ts'
import { LB_ANNOTATIONS } from '../scenario/manifests/lb.ts'

/** The repository root. */
export const DOCS_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The results schema's files: RunResult's, then the parts it imports (reading order of the Types table). */
const RESULTS_FILES = ['harness/model/results.ts', 'harness/model/variant-parts.ts', 'harness/model/summaries.ts', 'harness/model/gate-result.ts', 'harness/model/run-info.ts', 'harness/model/udp-results.ts'] as const

/** A JSON file's schema to document: its files, the interface at its top, how its tables are headed. */
export interface SchemaSpec {
  files: readonly string[]
  /** The interface at the top level of the file. */
  top: string
  /** The JSON file's name, e.g. `results.json`. */
  fileName: string
  /** The heading of the table of named types. */
  typesHeading: string
}

/** results.json (RunResult). */
export const RESULTS_SCHEMA: SchemaSpec = { files: RESULTS_FILES, top: 'RunResult', fileName: 'results.json', typesHeading: 'Types' }
/** verify.json (VerifyResult, `svcbench verify`). */
export const VERIFY_SCHEMA: SchemaSpec = { files: ['harness/model/verify.ts'], top: 'VerifyResult', fileName: 'verify.json', typesHeading: 'Verify types' }

/** Text for a Markdown table cell: `|` escaped, and `<` outside code spans (it could open a tag). */
function cell(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|')
}

/** docs/cli.md's flag tables, one per group of FLAG_GROUPS. */
export function cliFlagTable(): string {
  return (Object.keys(FLAG_GROUPS) as FlagGroup[])
    .map((g) => {
      const rows = FLAGS.filter((f) => f.group === g).map((f) => {
        const meaning = `${cell(f.help.replace(/^./, (c) => c.toUpperCase()))}.${f.details === undefined ? '' : ` ${cell(f.details)}`}`
        return `| \`${flagSynopsis(f)}\` | ${f.default === undefined ? '' : cell(f.default)} | ${meaning} |`
      })
      return [`**${FLAG_GROUPS[g]}**`, '', '| flag | default | meaning |', '|---|---|---|', ...rows].join('\n')
    })
    .join('\n\n')
}

/** The exit-code table, from EXIT. */
export function exitCodeTable(): string {
  return ['| code | meaning |', '|---|---|', ...exitCodes().map((e) => `| ${e.code} | ${cell(e.meaning.long)} |`)].join('\n')
}

/** docs/own-service.md's manifests reference: every field read, by kind, every Service annotation read, every kind skipped. */
export function manifestsReference(): string {
  const fields = (Object.keys(FIELD_GROUPS) as FieldGroup[]).flatMap((g) =>
    MANIFEST_FIELDS.filter((f) => f.group === g).map((f) => `| ${cell(FIELD_GROUPS[g])} | \`${f.path}\` | ${cell(f.mapsTo)} |`),
  )
  return [
    `Kinds read: ${Object.keys(READ_KINDS).map((k) => `\`${k}\``).join(', ')}.`,
    '',
    '| kind | field | maps to |',
    '|---|---|---|',
    ...fields,
    '',
    'Service annotations read (any other annotation on the Service is warned about):',
    '',
    '| annotation | maps to |',
    '|---|---|',
    ...LB_ANNOTATIONS.map((a) => `| \`${a.annotation}\` | ${cell(a.mapsTo)} |`),
    '',
    'Kinds skipped (with one warning line per kind), and why; any other kind is skipped the same way:',
    '',
    '| kinds | why |',
    '|---|---|',
    ...SKIPPED_KINDS.map(([k, why]) => `| ${cell(k)} | ${cell(why)} |`),
  ].join('\n')
}

/** One row of the results reference. */
interface FieldRow {
  path: string
  type: string
  doc: string
}

/** One interface of the results schema with the rows of its fields (inline object types flattened). */
interface TypeSection {
  name: string
  /** Where the first path that reached it puts it, e.g. `variants[]`. */
  where: string
  doc: string
  rows: FieldRow[]
}

function docOf(sym: ts.Symbol, checker: ts.TypeChecker): string {
  const text = ts.displayPartsToString(sym.getDocumentationComment(checker))
  const defaults = sym.getJsDocTags(checker).filter((t) => t.name === 'default').map((t) => `Default: ${ts.displayPartsToString(t.text)}.`)
  return [text, ...defaults].filter((s) => s !== '').join(' ')
}

/** The interfaces of a schema (results.json's by default) reachable from its top, each with its fields, in reading order. */
export function resultSections(root = DOCS_ROOT, spec: SchemaSpec = RESULTS_SCHEMA): TypeSection[] {
  const files = spec.files.map((f) => path.join(root, f))
  const program = ts.createProgram(files, { strict: true, allowImportingTsExtensions: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext })
  const checker = program.getTypeChecker()
  const sources = new Set(
    files.map((f, i) => {
      const source = program.getSourceFile(f)
      if (source === undefined) throw new Error(`cannot read ${spec.files[i]}`)
      return source
    }),
  )
  const interfaces = new Map<string, ts.InterfaceDeclaration>()
  const aliases = new Map<string, ts.TypeAliasDeclaration>()
  for (const source of sources) {
    source.forEachChild((n) => {
      if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n)
      if (ts.isTypeAliasDeclaration(n)) aliases.set(n.name.text, n)
    })
  }
  const ownInterface = (t: ts.Type): string | undefined => {
    const d = t.aliasSymbol === undefined ? t.getSymbol()?.declarations?.[0] : undefined
    return d !== undefined && ts.isInterfaceDeclaration(d) && sources.has(d.getSourceFile()) ? d.name.text : undefined
  }
  const inline = (t: ts.Type) => t.isIntersection() || (t.aliasSymbol === undefined && (t.flags & ts.TypeFlags.Object) !== 0 && ((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous) !== 0)
  const withoutNull = (t: ts.Type) => (t.isUnion() ? t.types.filter((x) => (x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) === 0) : [t])
  const spelledOut = (t: ts.Type) => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias)
  const sections: TypeSection[] = []
  const queued = new Set([spec.top])
  const queue: { name: string; where: string }[] = [{ name: spec.top, where: '' }]
  const interfaceDoc = (name: string) => {
    const d = interfaces.get(name)
    const sym = d === undefined ? undefined : checker.getSymbolAtLocation(d.name)
    return sym === undefined ? '' : docOf(sym, checker)
  }
  // A named union of string literals (DecisionUnit, ResolvedFault['action']) is shown spelled out.
  const literalUnion = (node: ts.TypeNode | undefined, t: ts.Type) =>
    node !== undefined && (ts.isTypeReferenceNode(node) || ts.isIndexedAccessTypeNode(node)) && t.isUnion() && t.types.every((x) => x.isStringLiteral())
  const enqueue = (name: string, where: string) => {
    if (!queued.has(name)) queue.push({ name, where })
    queued.add(name)
  }
  const walk = (t: ts.Type, where: string, prefix: string, rows: FieldRow[]) => {
    for (const sym of checker.getPropertiesOfType(t)) {
      const decl = sym.valueDeclaration ?? sym.declarations?.[0]
      if (decl === undefined || !ts.isPropertySignature(decl)) continue
      const p = `${prefix}${sym.name}`
      const pt = checker.getTypeOfSymbol(sym)
      const [only, ...more] = withoutNull(pt)
      const element = only !== undefined && more.length === 0 && checker.isArrayType(only) ? checker.getTypeArguments(only as ts.TypeReference)[0] : undefined
      const optional = decl.questionToken === undefined ? '' : ' (optional)'
      const nullable = pt.isUnion() && pt.types.some((x) => (x.flags & ts.TypeFlags.Null) !== 0) ? ' \\| null' : ''
      const named = (x: ts.Type | undefined) => (x === undefined ? undefined : ownInterface(x))
      let type = cell(decl.type?.getText(decl.getSourceFile()) ?? checker.typeToString(pt))
      if (only !== undefined && more.length === 0 && inline(only)) type = `object${nullable}`
      else if (element !== undefined && inline(element)) type = `object[]${nullable}`
      else if (literalUnion(decl.type, pt)) type = cell(spelledOut(pt).replace(/"/g, "'"))
      const target = named(only) ?? named(element)
      rows.push({ path: p, type: `${type}${optional}`, doc: docOf(sym, checker) || (target === undefined ? '' : interfaceDoc(target)) })
      if (only !== undefined && more.length === 0 && inline(only)) walk(only, where, `${p}.`, rows)
      else if (element !== undefined && inline(element)) walk(element, where, `${p}[].`, rows)
      if (target !== undefined) enqueue(target, `${where}${element === undefined ? p : `${p}[]`}`)
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const { name, where } = queue[i] as { name: string; where: string }
    const decl = interfaces.get(name) as ts.InterfaceDeclaration
    const rows: FieldRow[] = []
    walk(checker.getTypeAtLocation(decl.name), where === '' ? '' : `${where}.`, '', rows)
    sections.push({ name, where, doc: interfaceDoc(name), rows })
  }
  // The type aliases the tables still name (ErrorKind in Record<ErrorKind, number>), spelled out.
  const named = [...aliases.values()].filter((a) => sections.some((x) => x.rows.some((r) => new RegExp(`\\b${a.name.text}\\b`).test(r.type))))
  if (named.length > 0) {
    const rows = named.map((a) => {
      const sym = checker.getSymbolAtLocation(a.name)
      return { path: a.name.text, type: cell(spelledOut(checker.getTypeAtLocation(a.name)).replace(/"/g, "'")), doc: sym === undefined ? '' : docOf(sym, checker) }
    })
    sections.push({ name: spec.typesHeading, where: '-', doc: 'Named types the tables above use.', rows })
  }
  return sections
}

/** docs/results.md's field reference of a schema (results.json's by default): one table per interface, names linked to their tables. */
export function resultsReference(root = DOCS_ROOT, spec: SchemaSpec = RESULTS_SCHEMA): string {
  const sections = resultSections(root, spec)
  const link = (text: string) => sections.reduce((s, x) => s.replace(new RegExp(`\\b${x.name}\\b`, 'g'), `[${x.name}](#${x.name.toLowerCase()})`), text)
  return sections
    .map((s) =>
      [
        `### ${s.name}`,
        '',
        `${cell(s.doc)}${s.where === '' ? ` The top level of ${spec.fileName}.` : s.where === '-' ? '' : ` In ${spec.fileName} at \`${s.where}\`.`}`,
        '',
        '| field | type | meaning |',
        '|---|---|---|',
        ...s.rows.map((r) => `| \`${r.path}\` | ${link(r.type)} | ${cell(r.doc)} |`),
      ].join('\n'),
    )
    .join('\n\n')
}

/** docs/results.md's section on verify.json: what it is, then its field reference. */
export function verifyReference(root = DOCS_ROOT): string {
  return [
    '## verify.json',
    '',
    "What `svcbench verify` writes beside the two sides' results (`<out>/<scenario>/<UTC time>/verify.json`, with `proxy/results.json` and `kernel/results.json`),",
    'and prints on stdout under `--json`: per variant, each figure on both sides as printed, its verdict, and what decided it (the test and its p-value, the tolerance,',
    'or why it was not compared). How each figure is judged: [how-it-works.md](how-it-works.md#svcbench-verify). Generated, as the tables above, from `harness/model/verify.ts`.',
    '',
    resultsReference(root, VERIFY_SCHEMA),
  ].join('\n')
}

/** Where each generated section goes, and what writes it. */
export const GENERATED: readonly { file: string; name: string; render: () => string }[] = [
  { file: 'docs/cli.md', name: 'cli', render: cliFlagTable },
  { file: 'docs/cli.md', name: 'exit-codes', render: exitCodeTable },
  { file: 'README.md', name: 'exit-codes', render: exitCodeTable },
  { file: 'docs/results.md', name: 'results', render: () => `${resultsReference()}\n\n${verifyReference()}` },
  { file: 'docs/own-service.md', name: 'manifests', render: manifestsReference },
]

/** `text` with the section `name` replaced by `content`; throws when the markers are missing. */
export function replaceSection(text: string, name: string, content: string, file = 'the file'): string {
  const open = `<!-- generated:${name} -->`
  const close = `<!-- /generated:${name} -->`
  const a = text.indexOf(open)
  const b = text.indexOf(close)
  if (a < 0 || b < a) throw new Error(`${file}: no ${open} … ${close} section`)
  return `${text.slice(0, a + open.length)}\n${content}\n${text.slice(b)}`
}

/** Every file with generated sections: what it holds now and what the generator writes. */
export function renderDocs(root = DOCS_ROOT): { file: string; current: string; expected: string }[] {
  const files = [...new Set(GENERATED.map((g) => g.file))]
  return files.map((file) => {
    const current = fs.readFileSync(path.join(root, file), 'utf8')
    const expected = GENERATED.filter((g) => g.file === file).reduce((text, g) => replaceSection(text, g.name, g.render(), file), current)
    return { file, current, expected }
  })
}

function run(argv: readonly string[]): number {
  const check = argv.includes('--check')
  let stale = 0
  for (const d of renderDocs()) {
    if (d.current === d.expected) continue
    stale++
    if (check) process.stderr.write(`svcbench docs: ${d.file} differs from what npm run docs writes\n`)
    else {
      fs.writeFileSync(path.join(DOCS_ROOT, d.file), d.expected)
      process.stdout.write(`wrote ${d.file}\n`)
    }
  }
  const undocumented = [RESULTS_SCHEMA, VERIFY_SCHEMA].flatMap((spec) => resultSections(DOCS_ROOT, spec).flatMap((s) => s.rows.filter((r) => r.doc === '').map((r) => `${s.name}.${r.path}`)))
  if (undocumented.length > 0) process.stderr.write(`svcbench docs: ${undocumented.length} result fields have no TSDoc: ${undocumented.join(', ')}\n`)
  return check && stale > 0 ? 1 : 0
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = run(process.argv.slice(2))
