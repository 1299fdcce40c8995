/** Rounding of reported figures (results JSON carries these, not raw floats). Pure. */

/** `x` rounded to 3 decimals (µs for ms, ms for s). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** `x` rounded to 4 decimals (ratios to the calibration path). */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}

/** `x` rounded to 6 decimals (shares, rates, indices). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}
