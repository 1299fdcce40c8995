/**
 * The CLI's exit codes and what each means: one table, from which main.ts picks codes and
 * `--help`, docs/cli.md and the README's exit-code table are written.
 */

/** Exit codes of `svcbench run`, `svcbench report` and `svcbench verify`. */
export const EXIT = { OK: 0, GATE_FAILED: 1, BAD_INPUT: 2, HARNESS: 3, INTERRUPTED: 130 } as const

/** An exit code's name in {@link EXIT}. */
export type ExitName = keyof typeof EXIT

/** What an exit code means: `short` for the `--help` line, `long` for the docs' table. */
export interface ExitMeaning {
  short: string
  long: string
}

/** Every code of {@link EXIT} with its meaning. */
export const EXIT_MEANINGS: Record<ExitName, ExitMeaning> = {
  OK: { short: 'ok', long: 'the run completed (and the gate, if any, passed)' },
  GATE_FAILED: {
    short: 'gate failed (a threshold, a baseline regression or an abortOnFail stop)',
    long: 'the gate failed: a threshold failed, a metric regressed against the baseline, or `abortOnFail` stopped the run; for `svcbench verify`, a figure differs between the proxy and the kernel dataplane (the message names it)',
  },
  BAD_INPUT: {
    short: 'bad input (scenario, flags, environment)',
    long: 'bad input: scenario, flags or environment; the message names each field, the bad value and what is expected; nothing was started',
  },
  HARNESS: {
    short: 'harness failure',
    long: 'harness failure (a pod or proxy could not start or died, results or reports could not be written); the message has a stable code such as `[CHILD_START_FAILED]`',
  },
  INTERRUPTED: {
    short: 'interrupted',
    long: 'interrupted by SIGINT/SIGTERM; partial results are written with `"interrupted": true` (a second signal stops at once)',
  },
}

/** The codes in ascending order with their meanings. */
export function exitCodes(): { name: ExitName; code: number; meaning: ExitMeaning }[] {
  return (Object.keys(EXIT) as ExitName[]).map((name) => ({ name, code: EXIT[name], meaning: EXIT_MEANINGS[name] })).sort((a, b) => a.code - b.code)
}
