#!/usr/bin/env node
// svcbench entry point: plain JS so that `node harness/cli/bin.js` and the npm bin work
// without a build step; tsx loads the TypeScript sources.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
const code = await main(process.argv.slice(2))
// Let stdout drain before exiting (results JSON can be large on a pipe).
process.stdout.write('', () => process.exit(code))
