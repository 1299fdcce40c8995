/**
 * Progress display: a redrawn bar on a TTY, plain lines otherwise (and always with --json,
 * where it goes to stderr). Never writes to stdout.
 */
import type { RunEvents } from '../runner.ts'
import { formatDurationMs } from '../util/duration.ts'

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  stream: NodeJS.WriteStream
  /** Redraw in place (TTY) instead of printing lines. */
  tty: boolean
  scenario: string
  /** CI log: a line per run and phase, no periodic progress lines. */
  compact?: boolean
}

/** Event handlers that draw progress on `stream`. */
export function createProgress(opts: ProgressOptions): RunEvents & { finish(): void } {
  const { stream } = opts
  let label = ''
  let phase = ''
  let lastLineAt = 0
  // (time, cumulative responses) over the last second, for a sliding req/s.
  let samples: { t: number; r: number }[] = []
  let drawn = false
  const clear = () => {
    if (opts.tty && drawn) {
      stream.write('\r\x1b[2K')
      drawn = false
    }
  }
  return {
    onVariantStart(v, i, n, trial) {
      label = n > 1 ? `${opts.scenario}/${v.name}${trial === undefined ? '' : ` trial ${trial}`} (${i + 1}/${n})` : opts.scenario
    },
    onPhase(_v, p, totalMs) {
      clear()
      phase = p
      if (p === 'starting') samples = []
      lastLineAt = Date.now()
      stream.write(`[${label}] ${p}${totalMs > 0 ? ` ${formatDurationMs(totalMs)}` : ''}\n`)
    },
    onProgress(_v, p) {
      const now = Date.now()
      samples.push({ t: now, r: p.responses })
      while (samples.length > 2 && (samples[0] as { t: number }).t < now - 1000) samples.shift()
      const first = samples[0] as { t: number; r: number }
      const rate = now - first.t >= 200 ? ((p.responses - first.r) * 1000) / (now - first.t) : 0
      const secs = `${(p.elapsedMs / 1000).toFixed(1)}s/${(p.totalMs / 1000).toFixed(1)}s`
      const rps = `${Math.round(rate).toLocaleString('en-US')} req/s`
      if (opts.tty) {
        const width = 24
        const done = Math.min(width, Math.round((p.elapsedMs / Math.max(1, p.totalMs)) * width))
        stream.write(`\r\x1b[2K[${label}] ${phase} ${'█'.repeat(done)}${'░'.repeat(width - done)} ${secs}  ${rps}  errors ${p.errors}`)
        drawn = true
      } else if (opts.compact !== true) {
        const every = Math.max(1000, p.totalMs / 10)
        if (now - lastLineAt >= every) {
          lastLineAt = now
          stream.write(`[${label}] ${phase} ${secs} ${rps} errors ${p.errors}\n`)
        }
      }
    },
    onDisturbed(_v, otherPct) {
      clear()
      stream.write(`[${label}] disturbed: another program used ${Math.round(otherPct)}% of a core during the measured phase; running this trial again\n`)
    },
    finish: clear,
  }
}
