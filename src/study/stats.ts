/** Mean and a two-sided 95% confidence interval from Student's t, for small numbers of seeds. */

// t_{0.975, df} for df = 1..30; beyond 30 the normal 1.96 is within 2%.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface MeanCi {
  mean: number;
  /** Half-width of the 95% interval: mean ± ci95; null with fewer than 2 values. */
  ci95: number | null;
  n: number;
  sd: number | null;
}

export function meanCi(xs: number[]): MeanCi {
  const n = xs.length;
  if (!n) return { mean: NaN, ci95: null, n: 0, sd: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: null, n, sd: null };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const t = T975[n - 2] ?? 1.96;
  return { mean, ci95: (t * sd) / Math.sqrt(n), n, sd };
}
