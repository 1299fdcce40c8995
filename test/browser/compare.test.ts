/**
 * The comparison of two runs in a real browser, as test/browser/report.test.ts checks the run
 * report: headless Chromium opens the comparison's report.html from disk with the network
 * blocked, waits for every overlaid chart, and checks marks, console errors and network requests.
 * Run b is the fixture with iptables' p99 +30% and a pod's share moved. The screenshot is kept in
 * test-artifacts/ (git-ignored).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { buildCharts } from '../../harness/report/write.ts'
import { writeComparisonReport } from '../../harness/report/compare-html.ts'
import { overlayResult } from '../../harness/report/compare.ts'
import type { RunResult } from '../../harness/model/results.ts'
import { requireInCi } from '../helpers/ci.ts'
import { CHROMIUM_REQUIREMENT, executablePath, expectChartsDrawn, keepScreenshot, openOffline, withBrowser } from '../helpers/browser.ts'

describe('the comparison report.html in headless Chromium', () => {
  beforeEach(requireInCi(CHROMIUM_REQUIREMENT, executablePath !== undefined))
  it('renders every overlaid chart offline, with no console error and no network request', async () => {
    expect(executablePath, 'chromium must be on PATH (.ci/run installs it)').toBeDefined()
    const a = JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult
    const b = structuredClone(a)
    b.startedAt = '2026-11-27T07:59:29.487Z'
    b.variants[0]!.latencyMs.p99 *= 1.3
    b.variants[1]!.pods[0]!.share += 0.06
    b.variants[1]!.pods[1]!.share -= 0.06
    const result = overlayResult(a, b, ['mon', 'tue'])
    await withBrowser('svcbench-browser-compare-', async (browser, dir) => {
      const paths = await writeComparisonReport(a, b, dir, ['mon', 'tue'])
      const { page, consoleErrors, requests } = await openOffline(browser, paths.html)
      const charts = buildCharts(result)
      expect(charts.length).toBeGreaterThan(0)
      await expectChartsDrawn(page, charts)
      // The tables render as tables: one per matched pair, its p99 row marked worse.
      expect(await page.locator('section.pair table.metrics').count()).toBe(3)
      expect(await page.locator('section.pair tr.worse th').first().textContent()).toBe('p99')
      await keepScreenshot(page, 'compare.png')
      expect(consoleErrors).toEqual([])
      expect(requests).toEqual([])
    })
  }, 90_000)
})
