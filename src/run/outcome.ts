/** Row outcomes (survey-defined booleans over tensors) and the comparison with a survey's reference table. */
import type { TensorReport } from '../measure/diff.js';
import type { FactorValue, OutcomeSpec, SurveySpec } from '../spec/schema.js';

export function selectTensors(tensors: TensorReport[], sel: OutcomeSpec): TensorReport[] {
  return tensors.filter(
    (t) =>
      (sel.under === 'model' || t.name.startsWith(sel.under + '.')) &&
      (!sel.kind || t.kind === sel.kind) &&
      (!sel.role || sel.role.includes(t.role)),
  );
}

/**
 * An outcome is true when any selected tensor meets its measure: really changed (`noise` does not
 * count), reached the optimizer, or received a gradient.
 */
export function computeOutcome(survey: SurveySpec, tensors: TensorReport[], optimized: string[]): Record<string, boolean> {
  const reached = new Set(optimized);
  const meets = (t: TensorReport, measure: OutcomeSpec['measure']) =>
    measure === 'changed' ? t.status === 'changed' : measure === 'optimized' ? reached.has(t.name) : t.grad !== 'none';
  return Object.fromEntries(Object.entries(survey.outcomes).map(([name, sel]) => [name, selectTensors(tensors, sel).some((t) => meets(t, sel.measure))]));
}

export interface ReferenceMatch {
  row: number;
  outcome: Record<string, boolean>;
}

export function findReference(survey: SurveySpec, settings: Record<string, FactorValue>): ReferenceMatch | null {
  const ref = survey.reference?.rows.find((r) => Object.entries(r.settings).every(([k, v]) => settings[k] === v));
  return ref ? { row: ref.row, outcome: ref.outcome } : null;
}

export function matches(ref: ReferenceMatch | null, outcome: Record<string, boolean> | null): boolean | null {
  if (!ref || !outcome) return null;
  return Object.entries(ref.outcome).every(([k, v]) => outcome[k] === v);
}
