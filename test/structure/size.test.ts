/**
 * House limits (issue #12): a file under harness/ does one job in at most MAX_FILE_LINES lines,
 * and a function fits on a screen (at most MAX_FUNCTION_LINES lines, counted from its first to
 * its last line, comments inside included).
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

export const MAX_FILE_LINES = 450
export const MAX_FUNCTION_LINES = 120

const ROOT = path.resolve(import.meta.dirname, '../..')

function harnessFiles(dir = path.join(ROOT, 'harness')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return harnessFiles(p)
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : []
  })
}

/** Every function-like node of a file with its length in lines. */
export function functionLengths(file: string, text = fs.readFileSync(file, 'utf8')): { name: string; line: number; lines: number }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: { name: string; line: number; lines: number }[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line
      let name = '(anonymous)'
      if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name !== undefined) name = node.name.getText(sf)
      else if (ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(sf)
      else if (ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText(sf)
      out.push({ name, line: start + 1, lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

const rel = (f: string) => path.relative(ROOT, f)

describe('harness/ size limits', () => {
  it(`keeps every file at ${MAX_FILE_LINES} lines or fewer`, () => {
    const long = harnessFiles()
      .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_FILE_LINES)
    expect(long, 'split these files by concern').toEqual([])
  })

  it(`keeps every function at ${MAX_FUNCTION_LINES} lines or fewer`, () => {
    const long = harnessFiles().flatMap((f) =>
      functionLengths(f)
        .filter((x) => x.lines > MAX_FUNCTION_LINES)
        .map((x) => `${rel(f)}:${x.line} ${x.name} (${x.lines} lines)`),
    )
    expect(long, 'split these functions').toEqual([])
  })

  it('functionLengths measures a function from its first to its last line', () => {
    const text = 'export function a() {\n  return 1\n}\nconst b = () => {\n  // two\n  // three\n}\n'
    expect(functionLengths('x.ts', text)).toEqual([
      { name: 'a', line: 1, lines: 3 },
      { name: 'b', line: 4, lines: 4 },
    ])
  })
})
