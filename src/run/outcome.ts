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
export function computeOutcome(
  survey: SurveySpec,
  tensorsSince: (records: number | undefined) => TensorReport[] | null,
  optimized: string[],
): Record<string, boolean | null> {
  const reached = new Set(optimized);
  const meets = (t: TensorReport, measure: OutcomeSpec['measure']): boolean | null => {
    switch (measure) {
      case 'changed':
        return t.status === 'changed';
      case 'optimized':
        return reached.has(t.name);
      case 'grad':
        return t.grad !== 'none';
      case 'real-grad':
        return t.grad !== 'nonzero' ? false : t.gradPrecision === null ? null : t.gradPrecision === 'real';
    }
  };
  return Object.fromEntries(
    Object.entries(survey.outcomes).map(([name, sel]) => {
      const tensors = tensorsSince(sel.since);
      if (!tensors) return [name, null];
      const values = selectTensors(tensors, sel).map((t) => meets(t, sel.measure));
      // Any true decides; otherwise an unmeasured tensor leaves the outcome unknown.
      return [name, values.includes(true) ? true : values.includes(null) ? null : false];
    }),
  );
}

export interface ReferenceMatch {
  row: number;
  outcome: Record<string, boolean>;
}

export function findReference(survey: SurveySpec, settings: Record<string, FactorValue>): ReferenceMatch | null {
  const ref = survey.reference?.rows.find((r) => Object.entries(r.settings).every(([k, v]) => settings[k] === v));
  return ref ? { row: ref.row, outcome: ref.outcome } : null;
}

export function matches(ref: ReferenceMatch | null, outcome: Record<string, boolean | null> | null): boolean | null {
  if (!ref || !outcome) return null;
  return Object.entries(ref.outcome).every(([k, v]) => outcome[k] === v);
}
