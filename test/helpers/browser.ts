/**
 * The real-browser tests' shared pieces (test/browser/): Debian's Chromium found on PATH, its
 * launch flags, a browser and a scratch folder for one test, a page that opens an offline
 * report.html and waits for every chart, and the checks and screenshot every such test makes.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'

function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined
    } catch {
      // not on PATH
    }
  }
  return undefined
}

/** Chromium on PATH (.ci/run installs Debian's), or undefined. */
export const executablePath = chromiumPath()

/** What requireInCi says when it is missing. */
export const CHROMIUM_REQUIREMENT = 'Chromium on PATH (chromium or chromium-browser; .ci/run installs Debian\'s)'

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))

/** Chromium's flags here: headless, no sandbox (containers), nothing fetched in the background. */
export const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync']

/**
 * Open `htmlFile` offline (every request but file:// aborted and collected) and wait for its charts
 * (`window.svcbenchRendered`). Every step has its own timeout, well inside a test's, so that a hung
 * browser still reaches the caller's browser.close() (a test that times out never runs its finally).
 */
export async function openOffline(browser: Browser, htmlFile: string): Promise<{ page: Page; consoleErrors: string[]; requests: string[] }> {
  const context = await browser.newContext({ offline: true, viewport: { width: 1150, height: 900 } })
  context.setDefaultTimeout(15_000)
  const requests: string[] = []
  const consoleErrors: string[] = []
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith('file://')) return route.continue()
    requests.push(url)
    return route.abort()
  })
  const page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  await page.goto(pathToFileURL(htmlFile).href)
  // page.evaluate has no timeout of its own.
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    page.evaluate(() => (window as unknown as { svcbenchRendered: Promise<unknown> }).svcbenchRendered.then(() => true)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the charts did not finish rendering in 15 s')), 15_000))),
  ]).finally(() => clearTimeout(timer))
  return { page, consoleErrors, requests }
}

/** How many marks (rects, areas, lines, symbols, ticks) chart `name` of the page drew. */
export function renderedMarks(page: Page, name: string): Promise<number> {
  const id = `#chart-${name} svg`
  return page.locator(['rect', 'area', 'line', 'symbol', 'tick'].map((m) => `${id} .mark-${m} path`).join(', ')).count()
}

/**
 * Run `fn` with a headless Chromium and a fresh scratch folder (under the system's temp dir, named
 * from `prefix`), both gone afterwards whatever happens. Every browser step has its own timeout,
 * well inside a test's, so that a hung browser still reaches browser.close() (a test that times
 * out never runs its finally).
 */
export async function withBrowser<T>(prefix: string, fn: (browser: Browser, dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  try {
    const browser = await chromium.launch({ executablePath, timeout: 20_000, args: LAUNCH_ARGS })
    try {
      return await fn(browser, dir)
    } finally {
      await browser.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Every chart named drew marks on the page. */
export async function expectChartsDrawn(page: Page, charts: readonly { name: string }[]): Promise<void> {
  for (const c of charts) {
    const marks = await renderedMarks(page, c.name)
    expect(marks, `${c.name} has rendered marks`).toBeGreaterThan(0)
  }
}

/** Keep a full-page screenshot of `page` as test-artifacts/`file`. */
export async function keepScreenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true })
}
