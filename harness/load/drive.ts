/** Waiting for a running load while reporting its progress at a steady pace. */
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import type { RunningLoad } from './types.ts'

/** How often {@link driveLoad} reports progress, ms. */
export const PROGRESS_INTERVAL_MS = 250

/**
 * The load's result, with `onProgress` called every PROGRESS_INTERVAL_MS until it settles (never
 * after: live thresholds act on it).
 */
export function driveLoad(load: RunningLoad, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
  const ticker = setInterval(() => onProgress?.(load.progress()), PROGRESS_INTERVAL_MS)
  return load.result.finally(() => clearInterval(ticker))
}
