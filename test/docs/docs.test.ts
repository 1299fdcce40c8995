/**
 * The documentation stays true to the code: the generated sections are what `npm run docs`
 * writes, every flag is documented, the README stays a front page, links resolve, and every
 * "measured here" figure names its committed data or says it has none.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DOCS_ROOT, GENERATED, cliFlagTable, exitCodeTable, renderDocs, replaceSection, resultSections } from '../../harness/cli/docs.ts'
import { FLAGS, flagSynopsis } from '../../harness/cli/args.ts'
import { EXIT } from '../../harness/cli/exit-codes.ts'

const read = (file: string) => fs.readFileSync(path.join(DOCS_ROOT, file), 'utf8')

function markdownFiles(): string[] {
  const docs = fs.readdirSync(path.join(DOCS_ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))
  return ['README.md', ...docs.map((f) => path.join('docs', f))]
}

/** Markdown without fenced code blocks and inline code (links and prose only). */
const prose = (text: string) => text.replace(/^ *```[\s\S]*?^ *```/gm, '').replace(/`[^`]+`/g, '')

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const m of text.replace(/^ *```[\s\S]*?^ *```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (m[1] as string).toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

describe('docs', () => {
  it('holds what npm run docs writes in every generated section', () => {
    for (const d of renderDocs()) expect(d.current, `${d.file} differs from what npm run docs writes: run it`).toBe(d.expected)
  })

  it('replaceSection finds a stale section and refuses a file without its markers', () => {
    const cli = read('docs/cli.md')
    const stale = cli.replace(/^\| `--seed <n>`.*\n/m, '')
    expect(stale).not.toBe(cli)
    expect(replaceSection(stale, 'cli', cliFlagTable())).toBe(cli)
    expect(() => replaceSection('# nothing\n', 'cli', 'x', 'docs/x.md')).toThrow('docs/x.md: no <!-- generated:cli --> … <!-- /generated:cli --> section')
    expect(GENERATED.map((g) => `${g.file} ${g.name}`)).toEqual(['docs/cli.md cli', 'docs/cli.md exit-codes', 'README.md exit-codes', 'docs/results.md results', 'docs/own-service.md manifests'])
  })

  it('documents every flag of args.ts in docs/cli.md', () => {
    const cli = read('docs/cli.md')
    for (const f of FLAGS) expect(cli, `${f.name} is missing from docs/cli.md`).toContain(`| \`${flagSynopsis(f)}\` |`)
    for (const f of FLAGS) for (const name of [f.name, ...(f.aliases ?? [])]) expect(cli).toContain(name)
  })

  it('lists every exit code of EXIT in the README and docs/cli.md', () => {
    for (const file of ['README.md', 'docs/cli.md']) {
      for (const code of Object.values(EXIT)) expect(read(file), `exit ${code} in ${file}`).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'))
    }
    expect(exitCodeTable().split('\n')).toHaveLength(2 + Object.keys(EXIT).length)
  })

  it('references every field of RunResult and VariantResult in docs/results.md', () => {
    const results = read('docs/results.md')
    const sections = resultSections()
    expect(sections.map((s) => s.name).slice(0, 4)).toEqual(['RunResult', 'Versions', 'Machine', 'VariantResult'])
    for (const s of sections) for (const r of s.rows) expect(results).toContain(`| \`${r.path}\` |`)
    // An inline object type is flattened; a named one is linked to its own table.
    const variant = sections.find((s) => s.name === 'VariantResult')!
    expect(variant.rows.find((r) => r.path === 'requests.okRps')?.doc).toBe('ok per second.')
    expect(variant.rows.find((r) => r.path === 'failover')?.type).toBe('FailoverResult[]')
    expect(sections.find((s) => s.name === 'FailoverResult')?.where).toBe('variants[].failover[]')
  })

  it('keeps the README a front page: under 200 lines, the two promised commands first', () => {
    const lines = read('README.md').split('\n')
    expect(lines.length).toBeLessThan(200)
    const head = lines.slice(0, 40).join('\n')
    expect(head).toContain('npm ci && npm run bench')
    expect(head).toContain('npm ci && npm test')
  })

  it('has no link to a file or heading that does not exist', () => {
    const broken: string[] = []
    for (const file of markdownFiles()) {
      const text = read(file)
      for (const m of prose(text).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = m[1] as string
        if (/^[a-z]+:/.test(target)) continue
        const [rel, anchor] = target.split('#') as [string, string | undefined]
        const dest = rel === '' ? file : path.join(path.dirname(file), rel)
        if (!fs.existsSync(path.join(DOCS_ROOT, dest))) broken.push(`${file}: ${target} (no file ${dest})`)
        else if (anchor !== undefined && dest.endsWith('.md') && !anchors(read(dest)).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${dest})`)
      }
    }
    expect(broken).toEqual([])
  })

  it('says of every "measured here" figure where its data is, or that it is not yet committed', () => {
    const unbacked: string[] = []
    for (const file of markdownFiles().filter((f) => f !== path.join('docs', 'measurements', 'README.md'))) {
      // A paragraph, a list item or a table row, on one line.
      for (const block of read(file).split(/\n\s*\n|\n(?=\s*(?:- |\| ))/)) {
        const para = block.replace(/\s+/g, ' ')
        if (!/measured here/i.test(para)) continue
        const cited = [...para.matchAll(/\]\(([^)\s]*measurements\/[^)\s]+\.json)\)/g)].some((m) => fs.existsSync(path.join(DOCS_ROOT, path.dirname(file), m[1] as string)))
        if (!cited && !/not yet backed by a committed measurement; to be re-measured with `[^`]+`/.test(para)) unbacked.push(`${file}: ${para.slice(0, 80)}…`)
      }
    }
    expect(unbacked).toEqual([])
  })
})
