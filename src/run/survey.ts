/**
 * Runs a survey: expands it into trials, runs every trial on every backend (one backend instance,
 * so one torch worker, per run), and turns raw measurements into rows. A trial that errors is
 * recorded and the run goes on; after each row the partial result is handed to `onResult`, so a
 * caller can persist it and an interruption loses nothing already measured.
 */
import type { Backend, BackendInfo, OptimizerView, TrialMeasurement, TrialOutcome } from '../backends/backend.js';
import { resolveBackends } from '../backends/registry.js';
import type { BackendName } from '../backends/backend.js';
import { causesOf, orderCauses, type Cause } from '../measure/cause.js';
import { reportTensors, type TensorReport } from '../measure/diff.js';
import { PACKAGE_VERSION } from '../paths.js';
import { expandSurvey } from '../spec/expand.js';
import { loadSurvey } from '../spec/load.js';
import type { FactorValue, SurveySpec, Trial } from '../spec/schema.js';
import { computeOutcome, findReference, matches, selectTensors } from './outcome.js';

export interface StepSummary {
  index: number;
  action: string;
  loss: number;
  optimized: string[] | null;
  /** What the optimizer held per parameter before this update (absent for non-optimizer records). */
  optimizer?: Record<string, OptimizerView>;
  modes: Record<string, boolean>;
  tensors: TensorReport[];
}

export interface Row {
  id: string;
  state: 'completed' | 'errored' | 'skipped';
  /** The survey's published row number for these settings, or null where the survey has none. */
  seedRow: number | null;
  settings: Record<string, FactorValue>;
  /** Survey-defined booleans; null inside where it could not be measured (e.g. no float64 replay). */
  outcome: Record<string, boolean | null> | null;
  /** Why each true "changed" outcome is true: the measured causes of its tensors' changes. */
  outcomeCauses: Record<string, Cause[]>;
  seedOutcome: Record<string, boolean> | null;
  matchesSeed: boolean | null;
  code: string[];
  /** Every tensor: initial state against the state after the last record, with the gradients of the last optimizer step. */
  tensors: TensorReport[];
  /** Tensors handed to an optimizer with a gradient, over the whole trial (framework-reported). */
  optimized: string[];
  /** Training flags when the last optimizer step ran (torch: every module's .training; tfjs: call flags). */
  modes: Record<string, boolean>;
  /** Per-step changes (each step against the one before), for multi-step recipes; empty for one step. */
  steps: StepSummary[];
  notes: string[];
  error?: { code: string; message: string };
  reason?: string;
}

export interface Run {
  backend: BackendInfo;
  rows: Row[];
}

export interface SurveyResult {
  tool: { name: 'ftprobe'; version: string };
  survey: {
    name: string;
    description: string;
    seed: number;
    factors: { name: string; label: string }[];
    outcomes: { name: string; label: string }[];
    reference: string | null;
  };
  /** false while a run is in progress (partial results written to --out). */
  complete: boolean;
  runs: Run[];
  warnings: string[];
}

export interface ProgressEvent {
  backend: BackendName;
  index: number;
  total: number;
  trial: Trial;
  row?: Row;
}

export interface RunSurveyOptions {
  /** Backends to run: `auto` (every available), or names. Ignored when `backends` instances are given. */
  backend?: 'auto' | BackendName[];
  /** Already created backends (the caller disposes them). */
  backends?: Backend[];
  seed?: number;
  onTrialStart?: (e: ProgressEvent) => void;
  onTrialEnd?: (e: ProgressEvent) => void;
  onResult?: (partial: SurveyResult) => void;
  /** Keep per-record summaries even for a single record (the audit reads the optimizer view from them). */
  keepSteps?: boolean;
}

/**
 * Run a survey on real frameworks.
 * @example
 *   const result = await runSurvey('seed', { backend: ['torch'] });
 *   console.log(result.runs[0].rows.map((r) => r.outcome));
 */
export async function runSurvey(survey: string | SurveySpec, options: RunSurveyOptions = {}): Promise<SurveyResult> {
  const spec = typeof survey === 'string' ? loadSurvey(survey) : survey;
  // `auto` on a survey written for some backends only starts those.
  const choice = options.backend ?? 'auto';
  const owned = options.backends ? null : await resolveBackends(choice === 'auto' && spec.backends ? spec.backends : choice);
  const backends = options.backends ?? owned!.backends;
  const seed = options.seed ?? spec.seed;
  const result: SurveyResult = {
    tool: { name: 'ftprobe', version: PACKAGE_VERSION },
    survey: {
      name: spec.name,
      description: spec.description,
      seed,
      factors: spec.factors.map((f) => ({ name: f.name, label: f.label ?? f.name })),
      outcomes: Object.entries(spec.outcomes).map(([name, o]) => ({ name, label: o.label ?? name })),
      reference: spec.reference?.source ?? null,
    },
    complete: false,
    runs: [],
    warnings: (owned?.unavailable ?? []).map((u) => `${u.name} backend unavailable: ${u.reason}. ${u.fix}`),
  };
  const trials = expandSurvey(spec, seed);
  try {
    for (const backend of backends) {
      const run: Run = { backend: backend.info, rows: [] };
      result.runs.push(run);
      const notFor = spec.backends && !spec.backends.includes(backend.info.name);
      for (const [index, trial] of trials.entries()) {
        const event = { backend: backend.info.name, index, total: trials.length, trial };
        options.onTrialStart?.(event);
        const outcome: TrialOutcome = notFor
          ? { state: 'skipped', reason: `survey "${spec.name}" is written for ${spec.backends!.join(', ')}` }
          : await backend.runTrial(trial);
        const row = toRow(spec, trial, outcome.state === 'completed' ? outcome.measurement : null, options.keepSteps ?? false);
        if (outcome.state === 'errored') row.error = outcome.error;
        if (outcome.state === 'skipped') row.reason = outcome.reason;
        row.state = outcome.state;
        run.rows.push(row);
        options.onTrialEnd?.({ ...event, row });
        options.onResult?.(result);
      }
    }
    result.complete = true;
    options.onResult?.(result);
    return result;
  } finally {
    if (owned) await Promise.all(owned.backends.map((b) => b.dispose()));
  }
}

function toRow(spec: SurveySpec, trial: Trial, m: TrialMeasurement | null, keepSteps: boolean): Row {
  const ref = findReference(spec, trial.settings);
  const last = m?.steps.at(-1);
  const lastTraining = m?.steps.findLast((s) => s.optimized !== null);
  const optimized = [...new Set(m?.steps.flatMap((s) => s.optimized ?? []) ?? [])];
  const perRecord: StepSummary[] = (m?.steps ?? []).map((s, i) => ({
    index: s.index,
    action: s.action,
    loss: s.loss,
    optimized: s.optimized,
    ...(s.optimizer && { optimizer: s.optimizer }),
    modes: s.modes,
    tensors: reportTensors(i === 0 ? m!.initial : m!.steps[i - 1]!.after, s.after, s.grads).map((t) => ({ ...t, causes: causesOf(t, s.optimizer?.[t.name]) })),
  }));
  const tensors = m && last ? reportTensors(m.initial, last.after, lastTraining?.grads ?? []) : [];
  // A tensor's causes over the trial: those of every record in which it moved.
  for (const t of tensors) if (t.status !== 'unchanged') t.causes = orderCauses(perRecord.flatMap((r) => r.tensors.find((x) => x.name === t.name)?.causes ?? []));
  const since = (records: number | undefined) =>
    records === undefined ? tensors : m && records < m.steps.length ? reportTensors(m.steps[records - 1]!.after, last!.after, lastTraining?.grads ?? []) : null;
  const outcome = m && last ? computeOutcome(spec, since, optimized) : null;
  // For each true `changed` outcome: the measured causes of its tensors' changes, over its window.
  const outcomeCauses: Record<string, Cause[]> = {};
  for (const [name, sel] of Object.entries(spec.outcomes)) {
    if (!outcome?.[name] || sel.measure !== 'changed') continue;
    const names = new Set(selectTensors(tensors, sel).map((t) => t.name));
    const window = perRecord.slice(sel.since ?? 0);
    outcomeCauses[name] = orderCauses(window.flatMap((r) => r.tensors.filter((t) => names.has(t.name) && t.status === 'changed').flatMap((t) => t.causes)));
  }
  const steps = perRecord.length > 1 || keepSteps ? perRecord : [];
  return {
    id: trial.id,
    state: 'completed',
    seedRow: ref?.row ?? null,
    settings: trial.settings,
    outcome,
    outcomeCauses,
    seedOutcome: ref?.outcome ?? null,
    matchesSeed: matches(ref, outcome),
    code: m?.code ?? [],
    tensors,
    optimized,
    modes: (lastTraining ?? last)?.modes ?? {},
    steps,
    notes: m?.notes ?? [],
  };
}
