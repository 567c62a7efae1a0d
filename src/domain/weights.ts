/** The sum of some numbers. */
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Weights are percentages people type in: they must add up to 100, to a hundredth. */
export const sumsToHundred = (xs: readonly number[]): boolean => Math.abs(sum(xs) - 100) < 0.005;
