/**
 * The TensorFlow.js backend: the ONLY module tree that imports @tensorflow/tfjs*.
 *
 * It runs in-process on the wasm tensor backend (the cpu backend when wasm cannot start; the
 * trial notes say so). Recipes are executed the way a Keras/TF.js user writes them:
 * - freeze        -> `feature.trainable = false`
 * - optimizer     -> the variable list handed to `optimizer.applyGradients` is the selected
 *                    modules' `trainableWeights`, read at step time, as a custom loop does;
 * - train/eval    -> the `training` argument each sub-model is called with (TF.js has no module
 *                    mode: `eval(feature)` means `feature.apply(x, {training: false})`);
 * - step          -> `tf.variableGrads(loss, model.trainableWeights)`, then `applyGradients`.
 * Everything else sees plain data; tensor names are mapped to `<module>.<layer>.<weight>` with
 * Keras weight names (kernel, bias, gamma, beta, moving_mean, moving_variance).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Action, Trial } from '../../spec/schema.js';
import { FRAMEWORK_ERROR, type OverheadOutcome, type OverheadRequest, type StudyRunOutcome, type StudyRunRequest, type Backend, type BackendInfo, type BackendResolution, type GradData, type OptimizerView, type StepRecord, type TensorData, type TrialOutcome } from '../backend.js';
import { benchOverheadTfjs } from './bench.js';
import { disposeOptimizer } from './optim.js';
import { studyRunTfjs } from './study.js';
import { isGlob, matchGlob } from '../../measure/glob.js';
import { loadLayersModelFromFile } from './io.js';
import { buildModel, wrapLoadedModel, type BuiltModel, type Module } from './models.js';

let tensorBackend: Promise<{ name: string; note: string | null }> | undefined;

/** Picks the tensor backend once per process: wasm, else cpu with a note. */
function initTensorBackend(): Promise<{ name: string; note: string | null }> {
  tensorBackend ??= (async () => {
    try {
      // Prod mode silences tfjs's console advice (e.g. "install tfjs-node"); it changes no numerics.
      tf.enableProdMode();
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { name: 'wasm', note: null };
      }
    } catch {
      // fall through to cpu
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: 'cpu', note: 'the wasm tensor backend could not start; running on the slower pure-JS cpu backend' };
  })();
  return tensorBackend;
}

export async function createTfjsBackend(): Promise<BackendResolution> {
  const { name, note } = await initTensorBackend();
  return { ok: true, backend: new TfjsBackend(name, note) };
}

/** Live tensors in the tfjs engine; a trial must leave this unchanged. */
export function liveTensorCount(): number {
  return tf.memory().numTensors;
}

class Unsupported extends Error {}
/** A recipe glob that selects nothing: the user's mistake, reported as such (not a framework error). */
class NoMatch extends Error {}

export class TfjsBackend implements Backend {
  readonly info: BackendInfo;

  constructor(
    readonly tensorBackend: string,
    private readonly note: string | null,
  ) {
    this.info = { name: 'tfjs', framework: 'TensorFlow.js', version: tf.version.tfjs, device: 'cpu', detail: `tensor backend: ${tensorBackend}` };
  }

  async runTrial(trial: Trial): Promise<TrialOutcome> {
    let built: BuiltModel | undefined;
    let run: TrialRun | undefined;
    try {
      if ('torchscript' in trial.model || 'python' in trial.model) return { state: 'skipped', reason: 'a PyTorch model runs on the torch backend' };
      if ('tfjs' in trial.model) {
        const path = trial.model.tfjs;
        try {
          built = wrapLoadedModel(await loadLayersModelFromFile(path), path, trial.data.input?.shape, trial.seed);
        } catch (err) {
          return { state: 'errored', error: { code: 'bad-model', message: `cannot load TF.js model ${path}: ${err instanceof Error ? err.message : String(err)}` } };
        }
      } else built = buildModel(trial.model, trial.seed);
      run = new TrialRun(built, trial);
      const result = await run.execute();
      if (this.note) result.notes.push(this.note);
      return { state: 'completed', measurement: result };
    } catch (err) {
      if (err instanceof Unsupported) return { state: 'skipped', reason: err.message };
      if (err instanceof NoMatch) return { state: 'errored', error: { code: 'no-match', message: err.message } };
      const message = err instanceof Error ? err.message : String(err);
      return { state: 'errored', error: { code: FRAMEWORK_ERROR, message: `${message} (after ${run?.recordCount ?? 0} completed steps/passes)` } };
    } finally {
      disposeOptimizer(run?.optimizer);
      built?.model.dispose();
    }
  }

  async benchOverhead(req: OverheadRequest): Promise<OverheadOutcome> {
    try {
      return { ok: true, run: await benchOverheadTfjs(req) };
    } catch (err) {
      return { ok: false, error: { code: FRAMEWORK_ERROR, message: err instanceof Error ? err.message : String(err) } };
    }
  }

  async studyRun(req: StudyRunRequest): Promise<StudyRunOutcome> {
    try {
      return await studyRunTfjs(req);
    } catch (err) {
      return { ok: false, unsupported: false, error: { code: FRAMEWORK_ERROR, message: err instanceof Error ? err.message : String(err) } };
    }
  }

  async dispose(): Promise<void> {
    // In-process: nothing to stop. The tensor backend stays for the process.
  }
}

interface OptimizerState {
  targets: string[];
  /** Variable names handed to applyGradients, per call, intercepted on the optimizer instance. */
  applied: string[][];
  /** Gradients handed to applyGradients by fit(), kept until read. */
  fitGrads: Map<string, tf.Tensor>;
  capture: boolean;
}

type LossKind = 'sum' | 'mean' | 'mse';

/** One trial's execution state; `code` collects the TF.js code each action ran. */
class TrialRun {
  readonly code: string[] = [];
  /** The training flag each sub-model is called with; absent = no `training` argument is passed. */
  private readonly training = new Map<string, boolean>();
  optimizer: tf.Optimizer | undefined;
  private optState: OptimizerState | undefined;
  private readonly steps: StepRecord[] = [];
  private batches = 0;
  /** TF.js variable name -> logical tensor name. */
  private readonly logical: Map<string, string>;

  constructor(
    private readonly m: BuiltModel,
    private readonly trial: Trial,
  ) {
    this.code.push(...m.code);
    this.logical = new Map(m.weights.map((w) => [(w.variable.read() as tf.Variable).name, w.name]));
  }

  get recordCount(): number {
    return this.steps.length;
  }

  async execute() {
    const initial = await snapshot(this.m);
    for (const a of this.trial.actions) await this.apply(a);
    return { code: this.code, initial, steps: this.steps, notes: [] as string[] };
  }

  private module(target: string): Module {
    const mod = this.m.modules.get(target);
    if (!mod) throw new Unsupported(`tfjs model has no sub-model "${target}" (has: ${[...this.m.modules.keys()].join(', ')})`);
    return mod;
  }

  private async apply(a: Action): Promise<void> {
    switch (a.op) {
      case 'freeze':
      case 'unfreeze': {
        if (isGlob(a.target)) {
          // A glob selects the layers whose name, or one of whose weights' names, matches.
          const layers = [...this.m.modules].filter(([name, mod]) => name !== 'model' && (matchGlob(a.target, name) || this.m.weights.some((w) => w.variable.originalName.startsWith(mod.layer.name + '/') && matchGlob(a.target, w.name))));
          if (!layers.length) throw new NoMatch(`the glob '${a.target}' matches no layer or weight of this model`);
          for (const [, mod] of layers) mod.layer.trainable = a.op === 'unfreeze';
          this.code.push(`for (const l of [${layers.map(([, m]) => m.expr).join(', ')}]) l.trainable = ${a.op === 'unfreeze'}; // ${a.target}`);
          return;
        }
        const mod = this.module(a.target);
        mod.layer.trainable = a.op === 'unfreeze';
        this.code.push(`${mod.expr}.trainable = ${a.op === 'unfreeze'};`);
        return;
      }
      case 'train':
      case 'eval': {
        const mode = a.op === 'train';
        if (a.target !== 'model' && !this.m.callOrder.includes(a.target))
          throw new Unsupported(`TF.js sets the training mode per call, and "${a.target}" is not called on its own in this model`);
        // torch's train()/eval() recurse into children; the call-time flag is the TF.js analogue.
        for (const name of ['model', ...this.m.callOrder]) if (a.target === 'model' || name === a.target) this.training.set(name, mode);
        this.code.push(`// ${a.target}.${a.op}(): from here ${this.forwardCode()}`);
        return;
      }
      case 'optimizer':
        return this.buildOptimizer(a);
      case 'forward':
      case 'predict':
        return this.inference(a.op);
      case 'evaluate':
        return this.evaluate(a.loss);
      case 'fit':
        return this.fit(a);
      case 'step':
        return this.step(a);
    }
  }

  private buildOptimizer(a: Extract<Action, { op: 'optimizer' }>): void {
    if (a.kind === 'adamw') throw new Unsupported('TF.js has no AdamW optimizer');
    if (a.weightDecay) throw new Unsupported('TF.js optimizers have no weight_decay option');
    if (a.params.some((p) => /[*?[]/.test(p))) throw new Unsupported('the tfjs backend selects optimizer variables by sub-model, not by glob');
    for (const t of a.params) this.module(t);
    disposeOptimizer(this.optimizer);
    let src: string;
    let opt: tf.Optimizer;
    if (a.kind === 'adam') {
      const [b1, b2] = a.betas ?? [0.9, 0.999];
      opt = tf.train.adam(a.lr, b1, b2);
      src = `tf.train.adam(${a.lr}, ${b1}, ${b2})`;
    } else if (a.momentum) {
      opt = tf.train.momentum(a.lr, a.momentum, a.nesterov ?? false);
      src = `tf.train.momentum(${a.lr}, ${a.momentum}, ${a.nesterov ?? false})`;
    } else {
      opt = tf.train.sgd(a.lr);
      src = `tf.train.sgd(${a.lr})`;
    }
    const state: OptimizerState = { targets: a.params, applied: [], fitGrads: new Map(), capture: false };
    // Instrumentation, not behaviour: record which variables the framework hands the optimizer
    // (model.fit decides that itself), then call the real method unchanged.
    const original = opt.applyGradients.bind(opt);
    opt.applyGradients = (vg: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]) => {
      const entries = Array.isArray(vg) ? vg.map((v) => [v.name, v.tensor] as const) : Object.entries(vg);
      state.applied.push(entries.filter(([, g]) => g != null).map(([n]) => n));
      if (state.capture) for (const [n, g] of entries) if (g) state.fitGrads.set(n, tf.keep(g.clone()));
      return original(vg);
    };
    this.optimizer = opt;
    this.optState = state;
    const varList = a.params.map((t) => `...${this.module(t).expr}.trainableWeights`).join(', ');
    this.code.push(`const optimizer = ${src};`, `const varList = () => [${varList}]; // read at each step, as a custom loop does`);
  }

  private drawInput(): tf.Tensor {
    // One seed per batch, so every batch is fresh and the same --seed gives the same batches.
    return tf.randomUniform([this.trial.data.batch, ...this.m.inputShape], 0, 1, 'float32', this.dataSeed());
  }

  private dataSeed(): number {
    return this.trial.seed * 1000 + 1 + this.batches;
  }

  private inputCode(): string {
    return `const x = tf.randomUniform([${[this.trial.data.batch, ...this.m.inputShape].join(', ')}], 0, 1, 'float32', ${this.dataSeed()});`;
  }

  /** Sub-model calls are needed only when a sub-model's flag differs from the whole model's. */
  private perPart(): boolean {
    const top = this.training.get('model');
    return this.m.callOrder.some((n) => this.training.get(n) !== top);
  }

  private kwargs(name: string): { training?: boolean } {
    const t = this.training.get(name);
    return t === undefined ? {} : { training: t };
  }

  private forward(x: tf.Tensor): tf.Tensor {
    return this.perPart() ? this.m.forwardParts(x, (n) => this.kwargs(n)) : (this.m.model.apply(x, this.kwargs('model')) as tf.Tensor);
  }

  private forwardCode(): string {
    const kw = (n: string) => (this.training.has(n) ? `, { training: ${this.training.get(n)} }` : '');
    return this.perPart() ? this.m.forwardPartsCode(kw) : `model.apply(x${kw('model')})`;
  }

  private lossFn(kind: LossKind): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
    if (kind === 'sum') return (_t, y) => tf.sum(y);
    if (kind === 'mean') return (_t, y) => tf.mean(y);
    return (t, y) => tf.losses.meanSquaredError(t, y) as tf.Scalar;
  }

  private lossCode(kind: LossKind): string {
    return kind === 'sum' ? '(yTrue, yPred) => tf.sum(yPred)' : kind === 'mean' ? '(yTrue, yPred) => tf.mean(yPred)' : "'meanSquaredError'";
  }

  private compile(kind: LossKind): void {
    // model.compile needs an optimizer even to evaluate; without one of ours, Keras's 'sgd' string.
    this.m.model.compile({ optimizer: this.optimizer ?? 'sgd', loss: this.lossFn(kind) });
    this.code.push(`model.compile({ optimizer: ${this.optimizer ? 'optimizer' : "'sgd'"}, loss: ${this.lossCode(kind)} });`);
  }

  private async record(action: string, loss: number, grads: GradData[], optimized: string[] | null, optimizer?: Record<string, OptimizerView>): Promise<void> {
    const after = await snapshot(this.m);
    this.steps.push({ index: this.steps.length, action, loss, grads, optimized, ...(optimizer && { optimizer }), modes: Object.fromEntries(this.training), after });
  }

  private async inference(op: 'forward' | 'predict'): Promise<void> {
    const x = this.drawInput();
    this.code.push(this.inputCode());
    if (op === 'predict') {
      this.code.push('model.predict(x);');
      tf.dispose(this.m.model.predict(x));
    } else {
      this.code.push(`tf.tidy(() => ${this.forwardCode()});`);
      tf.tidy(() => {
        this.forward(x);
      });
    }
    x.dispose();
    this.batches++;
    await this.record(op, NaN, [], null);
  }

  private async evaluate(kind: LossKind): Promise<void> {
    this.compile(kind);
    const x = this.drawInput();
    const y = tf.tidy(() => this.m.target(this.m.model.predict(x) as tf.Tensor));
    this.code.push(this.inputCode(), `model.evaluate(x, y, { batchSize: ${this.trial.data.batch} });`);
    const loss = this.m.model.evaluate(x, y, { batchSize: this.trial.data.batch }) as tf.Scalar;
    const value = (await loss.data())[0]!;
    tf.dispose([x, y, loss]);
    this.batches++;
    await this.record('evaluate', value, [], null);
  }

  private async fit(a: Extract<Action, { op: 'fit' }>): Promise<void> {
    if (!this.optimizer || !this.optState) throw new Error('fit needs an optimizer action before it');
    this.compile(a.loss);
    const x = this.drawInput();
    const y = tf.tidy(() => this.m.target(this.m.model.predict(x) as tf.Tensor));
    this.code.push(this.inputCode(), `await model.fit(x, y, { epochs: ${a.epochs}, batchSize: ${this.trial.data.batch}, shuffle: false });`);
    this.optState.capture = true;
    const from = this.optState.applied.length;
    let history: tf.History;
    try {
      history = await this.m.model.fit(x, y, { epochs: a.epochs, batchSize: this.trial.data.batch, shuffle: false, verbose: 0 });
    } finally {
      this.optState.capture = false;
      tf.dispose([x, y]);
    }
    this.batches++;
    const grads = await readGrads(this.m, Object.fromEntries(this.optState.fitGrads));
    tf.dispose([...this.optState.fitGrads.values()]);
    this.optState.fitGrads.clear();
    const optimized = [...new Set(this.optState.applied.slice(from).flat())].map((n) => this.logical.get(n) ?? n);
    const losses = history.history.loss as number[];
    await this.record('fit', losses.at(-1) ?? NaN, grads, optimized);
  }

  private async step(a: Extract<Action, { op: 'step' }>): Promise<void> {
    if (!this.optimizer || !this.optState) throw new Error('a step needs an optimizer action before it');
    const lossExpr = a.loss === 'sum' ? 'tf.sum(y)' : a.loss === 'mean' ? 'tf.mean(y)' : 'tf.losses.meanSquaredError(target(y), y)';
    const block = [
      this.inputCode(),
      `const { value: loss, grads } = tf.variableGrads(() => { const y = ${this.forwardCode()}; return ${lossExpr}; }, model.trainableWeights.map((w) => w.read()));`,
      `optimizer.applyGradients(pick(grads, varList()));`,
    ];
    if (a.times > 1) this.code.push(`for (let step = 0; step < ${a.times}; step++) { // seed advances per step`, ...block.map((l) => '  ' + l), '}');
    else this.code.push(...block);
    if (a.zeroGrad !== 'zeros') this.code.push(`// zeroGrad: ${a.zeroGrad} has no TF.js counterpart: variableGrads returns fresh gradients every step`);
    for (let i = 0; i < a.times; i++) {
      const x = this.drawInput();
      // The set of variables gradients are taken for: every trainable weight, Keras's `model.trainable_variables`.
      const trainable = this.m.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const selected = new Set(this.optState.targets.flatMap((t) => this.module(t).layer.trainableWeights.map((w) => (w.read() as tf.Variable).name)));
      const { value, grads } = tf.variableGrads(() => {
        const y = this.forward(x);
        if (a.loss === 'sum') return tf.sum(y) as tf.Scalar;
        if (a.loss === 'mean') return tf.mean(y) as tf.Scalar;
        return tf.losses.meanSquaredError(this.m.target(y), y) as tf.Scalar;
      }, trainable);
      const gradData = await readGrads(this.m, grads);
      const toApply: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) if (selected.has(name)) toApply[name] = g;
      const view = await this.optimizerView(selected);
      const from = this.optState.applied.length;
      this.optimizer.applyGradients(toApply);
      const optimized = [...new Set(this.optState.applied.slice(from).flat())].map((n) => this.logical.get(n) ?? n);
      const loss = (await value.data())[0]!;
      tf.dispose([x, value, ...Object.values(grads)]);
      this.batches++;
      await this.record('step', loss, gradData, optimized, view);
    }
  }

  /**
   * The optimizer's own state per weight before a step, from its public getWeights(): accumulators
   * are named `<variable>/<slot>` by TF.js. TF.js optimizers have no weight decay.
   */
  private async optimizerView(selected: Set<string>): Promise<Record<string, OptimizerView>> {
    const weights = await this.optimizer!.getWeights();
    const state = new Map<string, { keys: string[]; max: number }>();
    for (const { name, tensor } of weights) {
      if (name === 'iter') continue;
      const cut = name.lastIndexOf('/');
      const entry = state.get(name.slice(0, cut)) ?? { keys: [], max: 0 };
      entry.keys.push(name.slice(cut + 1));
      for (const v of await tensor.data()) entry.max = Math.max(entry.max, Math.abs(v));
      state.set(name.slice(0, cut), entry);
    }
    // getWeights() makes a fresh scalar for the iteration count; the accumulators are the optimizer's own.
    tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
    const view: Record<string, OptimizerView> = {};
    for (const w of this.m.weights.filter((x) => x.kind === 'param')) {
      const varName = (w.variable.read() as tf.Variable).name;
      const st = state.get(varName);
      view[w.name] = { held: selected.has(varName), weightDecay: 0, stateKeys: st?.keys ?? [], stateMaxAbs: st?.max ?? 0 };
    }
    return view;
  }
}

async function tensorBytes(t: tf.Tensor): Promise<Uint8Array> {
  const v = await t.data();
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** Every weight of the model, under its logical name; `kind` is fixed at build time from the framework's own `trainable`. */
async function snapshot(m: BuiltModel): Promise<TensorData[]> {
  // "Trainable" is the framework's own answer at this moment: membership in model.trainableWeights.
  const trainable = new Set(m.model.trainableWeights.map((w) => (w.read() as tf.Variable).name));
  return Promise.all(
    m.weights.map(async (w) => ({
      name: w.name,
      kind: w.kind,
      role: w.role,
      trainable: trainable.has((w.variable.read() as tf.Variable).name),
      shape: w.variable.shape as number[],
      dtype: 'float32' as const,
      data: await tensorBytes(w.variable.read()),
    })),
  );
}

async function readGrads(m: BuiltModel, grads: tf.NamedTensorMap): Promise<GradData[]> {
  return Promise.all(
    m.weights
      .filter((w) => w.kind === 'param')
      .map(async (w) => {
        const g = grads[(w.variable.read() as tf.Variable).name];
        return {
          name: w.name,
          requiresGrad: w.variable.trainable,
          grad: g ? { shape: g.shape, dtype: 'float32' as const, data: await tensorBytes(g) } : null,
        };
      }),
  );
}
