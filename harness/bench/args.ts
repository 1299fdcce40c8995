/** Flags of the bench scripts: `--name value` pairs and bare switches, from process.argv. */
const argv = process.argv.slice(2)

/** The value after `--name`, or the fallback. */
export function flag(name: string, fallback: string): string {
  const i = argv.indexOf(name)
  return i >= 0 && i + 1 < argv.length ? (argv[i + 1] as string) : fallback
}

/** The number after `--name`, or the fallback. */
export function numberFlag(name: string, fallback: number): number {
  const n = Number(flag(name, String(fallback)))
  return Number.isFinite(n) ? n : fallback
}

/** Whether the bare switch `--name` is present. */
export function has(name: string): boolean {
  return argv.includes(name)
}
