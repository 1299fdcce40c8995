/** Shared by the actions' expected-detection arithmetic. */

/** Seconds rounded to the millisecond, as the results report them. */
export const r3 = (x: number): number => Math.round(x * 1000) / 1000
