/**
 * Why a tensor changed, from measured evidence only: the gradient the optimizer was handed, the
 * optimizer's own state and weight decay for that parameter read just before the update, and, for
 * buffers, the forward pass of the record in which they moved. The recipe's settings are never
 * consulted: a cause that cannot be measured is `unexplained`, not guessed.
 */
import type { OptimizerView } from '../backends/backend.js';
import type { TensorReport } from './diff.js';

export type Cause =
  | 'gradient' // a real, non-zero gradient step
  | 'roundoff-gradient' // a step on a gradient that is float32 cancellation residue (float64 replay ~0)
  | 'optimizer-state' // momentum / Adam moments carried from earlier steps, with a zero or absent gradient
  | 'weight-decay' // decay applied to a parameter whose gradient is zero
  | 'bn-forward' // a BatchNorm buffer updated by a forward pass in training mode
  | 'noise' // moved by no more than float32 rounding
  | 'unexplained';

export const CAUSE_ORDER: Cause[] = ['gradient', 'roundoff-gradient', 'optimizer-state', 'weight-decay', 'bn-forward', 'noise', 'unexplained'];

export const CAUSE_TEXT: Record<Cause, string> = {
  gradient: 'a gradient step (non-zero gradient)',
  'roundoff-gradient': 'a gradient step on float32 residue of an exactly-zero gradient',
  'optimizer-state': 'momentum or Adam state carried from earlier steps',
  'weight-decay': 'weight decay on a zero or absent gradient',
  'bn-forward': 'a BN forward pass in training mode',
  noise: 'float32 noise',
  unexplained: 'no measured cause',
};

/**
 * Causes of one record's change of one tensor (empty when it did not change). `report` compares the
 * state before and after the record and carries the gradient of that record; `view` is what the
 * optimizer held for it before the update.
 */
export function causesOf(report: TensorReport, view: OptimizerView | undefined): Cause[] {
  if (report.status === 'unchanged') return [];
  if (report.status === 'noise') return ['noise'];
  // Every record runs the model forward; a BN statistic that moved in one was moved by that pass.
  if (report.kind === 'buffer') return report.role !== 'other' ? ['bn-forward'] : ['unexplained'];
  const out: Cause[] = [];
  if (report.grad === 'nonzero') out.push(report.gradPrecision === 'roundoff' ? 'roundoff-gradient' : 'gradient');
  if (view?.held && view.stateMaxAbs > 0 && report.grad !== 'nonzero') out.push('optimizer-state');
  if (view?.held && view.weightDecay > 0 && report.grad !== 'nonzero') out.push('weight-decay');
  return out.length ? out : ['unexplained'];
}

/** Distinct causes in priority order. */
export function orderCauses(causes: Iterable<Cause>): Cause[] {
  const set = new Set(causes);
  return CAUSE_ORDER.filter((c) => set.has(c));
}
