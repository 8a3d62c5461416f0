/**
 * The study's report: aggregation (mean, 95% CI, n per cell), a recommendation computed from the
 * results, tables, and vega-lite charts rendered to SVG by vega in Node (no browser) and to PNG by
 * resvg, all in one self-contained HTML file.
 */
import { meanCi, type MeanCi } from './stats.js';
import type { StoredRun } from './store.js';

export interface Aggregate {
  backend: string;
  frameworkVersion: string;
  task: string;
  shift: string;
  batch: number;
  policy: string;
  accEval: MeanCi;
  accTrainMode: MeanCi;
  /** Train-mode accuracy minus eval-mode accuracy: how far what the head saw in training is from what it gets. */
  gap: MeanCi;
  /** Measured during fine-tuning, over all seeds: did BN run in training mode, did its statistics / affine move. */
  bnTraining: boolean[];
  statsChanged: boolean;
  affineChanged: boolean;
}

export function aggregate(runs: StoredRun[]): Aggregate[] {
  const groups = new Map<string, StoredRun[]>();
  for (const r of runs) {
    const k = [r.backend, r.task, r.shift, r.batch, r.policy].join('|');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const r0 = rs[0]!;
    return {
      backend: r0.backend,
      frameworkVersion: r0.frameworkVersion,
      task: r0.task,
      shift: r0.shift,
      batch: r0.batch,
      policy: r0.policy,
      accEval: meanCi(rs.map((r) => r.accEval)),
      accTrainMode: meanCi(rs.map((r) => r.accTrainMode)),
      gap: meanCi(rs.map((r) => r.accTrainMode - r.accEval)),
      bnTraining: [...new Set(rs.flatMap((r) => r.bnTrainingDuringFineTune))].sort(),
      statsChanged: rs.some((r) => r.bnStatsChangedDuringFineTune),
      affineChanged: rs.some((r) => r.bnAffineChanged),
    };
  });
}

export interface Finding {
  backend: string;
  task: string;
  shift: string;
  batch: number;
  best: string;
  bestAcc: number;
  frozenAcc: number | null;
  /** best - frozen, in accuracy points; null where frozen did not run. */
  marginOverFrozen: number | null;
  /** Policies whose 95% interval overlaps the best one's: not distinguishable at this n. */
  tied: string[];
  /** The policy with the lowest mean, and by how much it trails the best. */
  worst: string;
  worstGap: number;
}

/** Which policy wins each (task, shift, batch), by how much over `frozen`, and which are statistically tied. */
export function findings(aggs: Aggregate[]): Finding[] {
  const groups = new Map<string, Aggregate[]>();
  for (const a of aggs) {
    const k = [a.backend, a.task, a.shift, a.batch].join('|');
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  return [...groups.values()].map((g) => {
    const best = g.reduce((a, b) => (b.accEval.mean > a.accEval.mean ? b : a));
    const frozen = g.find((a) => a.policy === 'frozen');
    const worst = g.reduce((a, b) => (b.accEval.mean < a.accEval.mean ? b : a));
    const lo = best.accEval.mean - (best.accEval.ci95 ?? 0);
    return {
      backend: best.backend,
      task: best.task,
      shift: best.shift,
      batch: best.batch,
      best: best.policy,
      bestAcc: best.accEval.mean,
      frozenAcc: frozen?.accEval.mean ?? null,
      marginOverFrozen: frozen ? best.accEval.mean - frozen.accEval.mean : null,
      tied: g.filter((a) => a !== best && a.accEval.mean + (a.accEval.ci95 ?? 0) >= lo).map((a) => a.policy),
      worst: worst.policy,
      worstGap: best.accEval.mean - worst.accEval.mean,
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The answer, in sentences, computed from the findings: nothing here is fixed in advance. */
export function recommendation(fs: Finding[], aggs: Aggregate[]): string[] {
  const out: string[] = [];
  const policiesRun = new Map<string, string[]>();
  for (const a of aggs) policiesRun.set(a.backend, [...(policiesRun.get(a.backend) ?? []), a.policy]);
  const byBackend = new Map<string, Finding[]>();
  for (const f of fs) byBackend.set(f.backend, [...(byBackend.get(f.backend) ?? []), f]);
  for (const [backend, list] of byBackend) {
    const wins = new Map<string, number>();
    for (const f of list) wins.set(f.best, (wins.get(f.best) ?? 0) + 1);
    const ranking = [...wins].sort((a, b) => b[1] - a[1]);
    out.push(`${backend}: best policy per (task, shift, batch) cell: ${ranking.map(([p, n]) => `${p} in ${n}`).join(', ')} of ${list.length} cells.`);
    for (const shift of [...new Set(list.map((f) => f.shift))]) {
      for (const task of [...new Set(list.map((f) => f.task))]) {
        const cellsOf = list.filter((f) => f.shift === shift && f.task === task).sort((a, b) => a.batch - b.batch);
        if (!cellsOf.length) continue;
        const parts = cellsOf.map((f) => {
          const margin = f.marginOverFrozen === null ? '' : f.best === 'frozen' ? '' : ` (+${(100 * f.marginOverFrozen).toFixed(1)} pts over frozen)`;
          return `batch ${f.batch}: ${f.best} ${pct(f.bestAcc)}${margin}${f.tied.length ? `, tied with ${f.tied.join(', ')}` : ''}`;
        });
        out.push(`  ${task}, shift ${shift}: ${parts.join('; ')}.`);
      }
    }
    const smallBatchTrain = list.filter((f) => f.batch <= 8 && f.frozenAcc !== null);
    const trainLosesSmall = smallBatchTrain.filter((f) => f.best !== 'train' && f.best !== 'train-affine').length;
    if (smallBatchTrain.length) out.push(`  At batch <= 8, a policy that keeps BN in train mode won ${smallBatchTrain.length - trainLosesSmall} of ${smallBatchTrain.length} cells.`);
    const shifted = list.filter((f) => f.shift !== 'none');
    const worstCounts = new Map<string, number[]>();
    for (const f of shifted) worstCounts.set(f.worst, [...(worstCounts.get(f.worst) ?? []), f.worstGap]);
    for (const [p, gaps] of worstCounts)
      out.push(`  Under shift, ${p} was the worst policy in ${gaps.length} of ${shifted.length} cells, ${(100 * Math.min(...gaps)).toFixed(1)} to ${(100 * Math.max(...gaps)).toFixed(1)} pts below the best.`);
    const ran = new Set(policiesRun.get(backend) ?? []);
    for (const p of ['adabn', 'frozen'].filter((x) => ran.has(x))) {
      const good = shifted.filter((f) => f.best === p || f.tied.includes(p)).length;
      if (shifted.length) out.push(`  Under shift, ${p} was best or statistically tied with the best in ${good} of ${shifted.length} cells.`);
    }
  }
  return out;
}
