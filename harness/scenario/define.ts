import type { UserScenario } from './schema.ts'

/**
 * Identity function that exists only for types: `export default defineScenario({...})`
 * gives editor completion and compile-time checks. A plain object works the same.
 */
export function defineScenario<const T extends UserScenario>(scenario: T): T {
  return scenario
}
