/**
 * The Backend interface and the plain data every backend returns. Backends run a trial with the
 * framework's own calls and hand back raw tensor bytes; they never classify or judge. Everything
 * downstream (measure, claims, report) sees only these types, never a framework object.
 */
import type { Trial } from '../spec/schema.js';

export type TensorKind = 'param' | 'buffer';
/** What a tensor is for, where the framework says so: BatchNorm statistics are marked. */
export type TensorRole = 'bn-mean' | 'bn-var' | 'bn-count' | 'other';
export type DType = 'float32' | 'float64' | 'int64' | 'int32';

/** One tensor's raw contents, little-endian bytes of `dtype`. */
export interface TensorData {
  name: string;
  kind: TensorKind;
  role: TensorRole;
  shape: number[];
  dtype: DType;
  data: Uint8Array;
  /** The framework's own flag when snapshotted: torch requires_grad, tfjs LayerVariable.trainable. */
  trainable: boolean;
}

export type RawTensor = Pick<TensorData, 'shape' | 'dtype' | 'data'>;

/** A parameter's gradient as the optimizer saw it: read after backward(), before the optimizer step. */
export interface GradData {
  name: string;
  /** null when the framework computed no gradient (torch: `.grad is None`; tfjs: not in the gradient map). */
  grad: RawTensor | null;
  /** Whether the framework would compute a gradient for it (torch requires_grad, tfjs trainable). */
  requiresGrad: boolean;
  /**
   * The same step's gradient replayed in float64 by the framework, from the same state and batch;
   * undefined where the backend does not replay (tfjs has no float64 on wasm, large models).
   */
  reference64?: RawTensor | null;
}

/** A parameter as the optimizer saw it before a step, read from the optimizer object. */
export interface OptimizerView {
  /** The optimizer holds this parameter (torch param_groups; tfjs: in the variable list applied). */
  held: boolean;
  /** Weight decay configured for it (0 where the framework has none). */
  weightDecay: number;
  /** Names of its optimizer state tensors (momentum_buffer, exp_avg, ...). */
  stateKeys: string[];
  /** Largest |element| over those state tensors; 0 when empty or all zero. */
  stateMaxAbs: number;
}

/** One record per action that runs batches through the model (step, fit, forward, predict, evaluate). */
export interface StepRecord {
  index: number;
  /** The action that produced it: step, fit, forward, predict, evaluate. */
  action: string;
  /** NaN where the action computes no loss (forward, predict). */
  loss: number;
  /**
   * Tensors the optimizer was handed with a gradient in this record, as the framework reports it
   * (torch: params of opt.param_groups whose .grad is not None; tfjs: the variables of
   * applyGradients, intercepted on the optimizer). null when no optimizer ran.
   */
  optimized: string[] | null;
  /** What the optimizer held for each parameter just before its update; absent where none ran. */
  optimizer?: Record<string, OptimizerView>;
  grads: GradData[];
  /** Training flag of every module (torch) or sub-model call (tfjs) when the step ran. */
  modes: Record<string, boolean>;
  after: TensorData[];
}

export interface TrialMeasurement {
  /** The framework code that ran, line by line, as the backend executed it. */
  code: string[];
  initial: TensorData[];
  steps: StepRecord[];
  /** Caveats about this trial, as values (e.g. a fallback the backend had to take). */
  notes: string[];
}

/**
 * The error code of a trial in which the framework itself raised (e.g. an optimizer that cannot
 * handle a changed variable list): a measured finding. Any other code is a failure to measure
 * (worker died, timeout), which the CLI reports with exit code 1.
 */
export const FRAMEWORK_ERROR = 'framework-error';

export type TrialOutcome =
  | { state: 'completed'; measurement: TrialMeasurement }
  | { state: 'errored'; error: { code: string; message: string } }
  | { state: 'skipped'; reason: string };

export interface BackendInfo {
  name: BackendName;
  framework: string;
  version: string;
  device: string;
  /** Extra facts worth showing, e.g. the tfjs tensor backend or the Python executable. */
  detail: string;
}

export type BackendName = 'torch' | 'tfjs';

export const OVERHEAD_CONFIGS = ['neither', 'freeze', 'not_optimize', 'both'] as const;
export type OverheadConfigName = (typeof OVERHEAD_CONFIGS)[number];

export interface OverheadRequest {
  model: string;
  batch: number;
  /** Side of the square input image, for image models. */
  image: number;
  reps: number;
  warmup: number;
  seed: number;
  configs: OverheadConfigName[];
}

export interface OverheadSample {
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  /** Bytes of every gradient tensor the framework allocated in the step. */
  gradBytes: number;
  /** Extra memory during the step, as `memoryMeasure` of the run says. */
  memBytes: number;
}

export interface OverheadConfig {
  config: OverheadConfigName;
  /** Bytes of all the model's parameters (trainable weights at build). */
  paramBytes: number;
  /** The parameters that received a gradient, by the framework's names. */
  gradParams: string[];
  samples: OverheadSample[];
}

export interface OverheadRun {
  model: string;
  batch: number;
  threads: number | null;
  memoryMeasure: string;
  /** Caveats, e.g. a tensor-backend fallback. */
  notes: string[];
  configs: OverheadConfig[];
}

export type OverheadOutcome = { ok: true; run: OverheadRun } | { ok: false; error: { code: string; message: string } };

/** One run of the bn-frozen study (see python/ftprobe_worker/study.py for what it does). */
export interface StudyRunRequest {
  task: string;
  shift: string;
  batch: number;
  policy: string;
  seed: number;
  steps: number;
  pretrainSteps: number;
  /** Folder of the `mnist` package's digit JSON files. */
  digitsDir: string;
}

export interface StudyRunResult {
  accEval: number;
  accTrainMode: number;
  bnTrainingDuringFineTune: boolean[];
  bnStatsChangedDuringFineTune: boolean;
  bnAffineChanged: boolean;
  seconds: number;
}

export type StudyRunOutcome = { ok: true; result: StudyRunResult } | { ok: false; unsupported: boolean; error: { code: string; message: string } };

export interface Backend {
  readonly info: BackendInfo;
  /** Never rejects for a trial's own failure: that is an `errored` outcome. */
  runTrial(trial: Trial): Promise<TrialOutcome>;
  /** The per-step cost of freeze / not_optimize on a model (ftprobe bench overhead). */
  benchOverhead(req: OverheadRequest): Promise<OverheadOutcome>;
  /** One run of the bn-frozen study; `unsupported` when the framework cannot express the policy. */
  studyRun(req: StudyRunRequest): Promise<StudyRunOutcome>;
  dispose(): Promise<void>;
}

export type BackendResolution =
  | { ok: true; backend: Backend }
  | { ok: false; name: BackendName; reason: string; fix: string };
