// Builds the native L4 relay (native/relay.c → build/Release/svcbench_relay.node) with node-gyp,
// which npm provides to install scripts. Run by `npm ci` (the install script) and by
// `npm run build:native`. Never fails the install: without a compiler the proxy uses its
// JavaScript relay, and this says so (npm test then fails its native-relay test on Linux).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
if (process.platform !== 'linux') {
  console.error('svcbench: the native relay is Linux only; the proxy uses its JavaScript relay')
  process.exit(0)
}
// Inside npm scripts node-gyp is on PATH; outside, npm's own copy next to this Node.
const npmGyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
const viaPath = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' })
const r = viaPath.error === undefined ? viaPath : spawnSync(process.execPath, [npmGyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
if (r.status !== 0) {
  console.error(
    'svcbench: the native relay did not build (node-gyp needs python3, make and g++: apt-get install -y python3 make g++); ' +
      'the connection proxy uses its JavaScript relay instead (about 20% more CPU per request)',
  )
}
process.exit(0)
