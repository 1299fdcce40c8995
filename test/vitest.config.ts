import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real processes; on a loaded 2-core machine process start-up alone
    // can take seconds. Traffic in each test is bounded to well under 2 s by its scenario.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
