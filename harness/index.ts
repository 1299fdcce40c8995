/** svcbench's public API for scenario files: `import { defineScenario } from 'svcbench'`. */
export { defineScenario } from './scenario/define.ts'
export type { UserScenario, DeepPartial } from './scenario/schema.ts'
export type { ResolvedRun, ResolvedVariant } from './model/scenario.ts'
export type { BalancerName } from './model/kube-proxy.ts'
