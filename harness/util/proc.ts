/** Reading Linux /proc. */
import fs from 'node:fs'

/**
 * The fields of a /proc/<pid>/stat (or task/<tid>/stat) file after the command name, which may
 * itself hold spaces and parentheses: [0] is the state (R, S, Z, ...), [11] utime, [12] stime.
 * Undefined when the process is gone or /proc is unavailable.
 */
export function procStatFields(file: string): string[] | undefined {
  try {
    const stat = fs.readFileSync(file, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}
