/**
 * The report in a real browser: headless Chromium (Debian's package, found on PATH) opens
 * report.html from disk with the network blocked, waits for every chart, and checks marks, console
 * errors and network requests, then the layout: no two axis labels overlap, every chart is as wide
 * as the content column, a topology per variant. Screenshots are kept in test-artifacts/ (git-ignored).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { buildCharts, writeReports } from '../../harness/report/write.ts'
import { fileSafe } from '../../harness/report/charts/common.ts'
import type { RunResult } from '../../harness/model/results.ts'
import { requireInCi } from '../helpers/ci.ts'
import { CHROMIUM_REQUIREMENT, executablePath, expectChartsDrawn, keepScreenshot, openOffline, withBrowser } from '../helpers/browser.ts'

const fixture = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/results/${name}`, import.meta.url), 'utf8')) as RunResult

/** Open a result's report.html offline and wait for every chart; console errors and network requests are collected. */
async function openReport(browser: Browser, result: RunResult, dir: string): Promise<{ page: Page; consoleErrors: string[]; requests: string[] }> {
  return openOffline(browser, (await writeReports(result, dir)).html)
}

/** Every chart of the page: its id, its svg's width, the content width of its parent, and each pair of visible axis labels that overlap. */
async function layoutOf(page: Page): Promise<{ id: string; svgWidth: number; columnWidth: number; overlaps: string[]; labels: number }[]> {
  return page.evaluate(() => {
    const out: { id: string; svgWidth: number; columnWidth: number; overlaps: string[]; labels: number }[] = []
    for (const div of Array.from(document.querySelectorAll<HTMLElement>('.chart'))) {
      const svg = div.querySelector('svg')
      const parent = div.parentElement!
      const style = getComputedStyle(parent)
      const columnWidth = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      // Labels Vega hid to avoid overlap (labelOverlap) have opacity 0 and do not count.
      const labels = Array.from(div.querySelectorAll<SVGTextElement>('.role-axis-label text'))
        .filter((t) => t.textContent !== '' && Number(getComputedStyle(t).opacity) > 0 && t.getAttribute('opacity') !== '0')
        .map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }))
        .filter((l) => l.r.width > 0 && l.r.height > 0)
      const overlaps: string[] = []
      // Half a pixel of slack: neighbours that merely touch are legible.
      const hit = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5
      for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (hit(labels[i]!.r, labels[j]!.r)) overlaps.push(`${labels[i]!.text} / ${labels[j]!.text}`)
      out.push({ id: div.id, svgWidth: svg?.getBoundingClientRect().width ?? 0, columnWidth, overlaps, labels: labels.length })
    }
    return out
  })
}

describe('report.html in headless Chromium', () => {
  beforeEach(requireInCi(CHROMIUM_REQUIREMENT, executablePath !== undefined))
  it('renders every chart offline, with no console error and no network request', async () => {
    expect(executablePath, 'chromium must be on PATH (.ci/run installs it)').toBeDefined()
    const result = fixture('pod-crash-3-variants.json')
    await withBrowser('svcbench-browser-', async (browser, dir) => {
      const { page, consoleErrors, requests } = await openReport(browser, result, dir)
      await expectChartsDrawn(page, buildCharts(result))
      await keepScreenshot(page, 'report.png')
      expect(consoleErrors).toEqual([])
      expect(requests).toEqual([])
    })
  }, 90_000)
  it('lays every chart out legibly (no two axis labels overlap, every chart as wide as the content column, a topology per variant), findings first naming every variant, HTML tables', async () => {
    await withBrowser('svcbench-browser-', async (browser, dir) => {
      for (const name of ['pod-crash-3-variants.json', 'nat-ip-hash.json', 'hang-closed-vs-open.json']) {
        const result = fixture(name)
        const { page, consoleErrors } = await openReport(browser, result, path.join(dir, name))
        const charts = await layoutOf(page)
        expect(charts.map((c) => c.id), name).toEqual(buildCharts(result).map((c) => `chart-${c.name}`))
        for (const c of charts) {
          expect(c.overlaps, `${name} ${c.id}: overlapping axis labels`).toEqual([])
          expect(c.svgWidth, `${name} ${c.id}: as wide as the content column (${c.columnWidth} px)`).toBeGreaterThanOrEqual(c.columnWidth - 2)
        }
        // Axis labels were found at all (else the overlap check would pass on nothing).
        expect(charts.filter((c) => !c.id.startsWith('chart-topology-')).every((c) => c.labels > 0), name).toBe(true)
        for (const v of result.variants) {
          const id = `#chart-topology-${fileSafe(v.name)}`
          expect(await page.locator(`${id} svg .mark-rule line`).count(), `${name}: a topology of ${v.name} with its links`).toBeGreaterThan(0)
          expect(await page.locator(`${id} svg .mark-text text`).allTextContents(), `${name}: ${v.name}'s pods are named`).toEqual(expect.arrayContaining(v.pods.map((p) => expect.stringContaining(p.name))))
        }
        // The findings come first and name every variant with its figures; the tables are HTML tables.
        const findingsText = await page.locator('section#findings').innerText()
        for (const v of result.variants) expect(findingsText, `${name}: the findings name ${v.name}`).toContain(v.name)
        expect(findingsText, `${name}: the findings carry figures`).toMatch(/req\/s/)
        const firstSection = await page.locator('main.content > section').first().getAttribute('id')
        expect(firstSection, `${name}: the findings are the first section`).toBe('findings')
        expect(await page.locator('main.content table td.num').count(), `${name}: figures in HTML tables`).toBeGreaterThan(0)
        expect(await page.locator('main.content pre').count(), `${name}: no preformatted table`).toBe(0)
        expect(consoleErrors, name).toEqual([])
        await keepScreenshot(page, `report-${name.replace(/\.json$/, '')}.png`)
        await page.context().close()
      }
    })
  }, 90_000)
})
