/**
 * Import rules for harness/, checked by `npm run check:imports` (run by `npm test`):
 * - no import cycle, type-only imports included;
 * - one-way layers: a folder (or root file) of harness/ may import only from the layers listed
 *   before it, and from itself. harness/model/ (types and constants) is at the bottom and imports
 *   nothing of ours but itself; the CLI and the benches are at the top.
 */
const LAYERS = [
  'errors.ts',
  'model',
  'util',
  'balancers',
  'process',
  'faults',
  'pods',
  'proxy',
  'lb',
  'stats',
  'gate',
  'scenario',
  'load',
  'dataplane',
  'cluster',
  'runner.ts',
  'report',
  'cli',
  'bench',
  'index.ts',
]

const path = (layer) => (layer.endsWith('.ts') ? `^harness/${layer.replace('.', '\\.')}$` : `^harness/${layer}/`)

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.replace('.ts', '')}`,
  severity: 'error',
  comment: `harness/${layer} may import only ${LAYERS.slice(0, i).join(', ') || 'nothing of ours'} (and itself): move what both need down a layer (often into harness/model/)`,
  from: { path: path(layer) },
  to: { path: LAYERS.slice(i + 1).map(path) },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports included): move the shared piece into harness/model/.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'harness-is-a-known-layer',
      severity: 'error',
      comment: 'Every folder and root file of harness/ is one of the LAYERS in .dependency-cruiser.cjs: add a new one there, in its place.',
      from: { path: '^harness/', pathNot: LAYERS.map(path) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
