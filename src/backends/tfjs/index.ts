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
import type { Backend, BackendInfo, BackendResolution, GradData, StepRecord, TensorData, TrialOutcome } from '../backend.js';
import { buildModel, type BuiltModel, type Module } from './models.js';

let tensorBackend: Promise<{ name: string; note: string | null }> | undefined;

/** Picks the tensor backend once per process: wasm, else cpu with a note. */
function initTensorBackend(): Promise<{ name: string; note: string | null }> {
  tensorBackend ??= (async () => {
    try {
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
    let optimizer: tf.Optimizer | undefined;
    try {
      built = buildModel(trial.model, trial.seed);
      const run = new TrialRun(built, trial);
      const result = await run.execute();
      optimizer = run.optimizer;
      if (this.note) result.notes.push(this.note);
      return { state: 'completed', measurement: result };
    } catch (err) {
      if (err instanceof Unsupported) return { state: 'skipped', reason: err.message };
      return { state: 'errored', error: { code: 'tfjs-error', message: err instanceof Error ? err.message : String(err) } };
    } finally {
      disposeOptimizer(optimizer);
      built?.model.dispose();
    }
  }

  async dispose(): Promise<void> {
    // In-process: nothing to stop. The tensor backend stays for the process.
  }
}

interface OptimizerState {
  targets: string[];
  varList: string;
}

/** One trial's execution state; `code` collects the TF.js code each action ran. */
class TrialRun {
  readonly code: string[] = [];
  /** The training flag each sub-model is called with; absent = no `training` argument is passed. */
  private readonly training = new Map<string, boolean>();
  optimizer: tf.Optimizer | undefined;
  private optState: OptimizerState | undefined;
  private readonly steps: StepRecord[] = [];
  private stepCount = 0;

  constructor(
    private readonly m: BuiltModel,
    private readonly trial: Trial,
  ) {
    this.code.push(...m.code);
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
        const mod = this.module(a.target);
        mod.layer.trainable = a.op === 'unfreeze';
        this.code.push(`${mod.expr}.trainable = ${a.op === 'unfreeze'};`);
        return;
      }
      case 'train':
      case 'eval': {
        const mode = a.op === 'train';
        // torch's train()/eval() recurse into children; the call-time flag is the TF.js analogue.
        for (const name of this.m.callOrder) if (name === a.target || a.target === 'model' || name.startsWith(a.target + '.')) this.training.set(name, mode);
        if (!this.m.callOrder.includes(a.target) && a.target !== 'model')
          throw new Unsupported(`TF.js sets the training mode per call, and "${a.target}" is not called on its own in this model`);
        this.code.push(`// ${a.target}.${a.op}(): ${describeCalls(this.m.callOrder, this.training)}`);
        return;
      }
      case 'optimizer':
        return this.buildOptimizer(a);
      case 'forward': {
        const x = this.drawInput();
        this.code.push(`${this.inputCode()}`, `tf.tidy(() => ${this.forwardCode()});`);
        tf.tidy(() => {
          this.forward(x);
        });
        x.dispose();
        return;
      }
      case 'step':
        return this.step(a);
    }
  }

  private buildOptimizer(a: Extract<Action, { op: 'optimizer' }>): void {
    if (a.kind === 'adamw') throw new Unsupported('TF.js has no AdamW optimizer');
    if (a.weightDecay) throw new Unsupported('TF.js optimizers have no weight_decay option');
    if (a.params.some((p) => /[*?[]/.test(p))) throw new Unsupported('the tfjs backend selects optimizer variables by sub-model, not by glob');
    disposeOptimizer(this.optimizer);
    let src: string;
    if (a.kind === 'adam') {
      const [b1, b2] = a.betas ?? [0.9, 0.999];
      this.optimizer = tf.train.adam(a.lr, b1, b2);
      src = `tf.train.adam(${a.lr}, ${b1}, ${b2})`;
    } else if (a.momentum) {
      this.optimizer = tf.train.momentum(a.lr, a.momentum, a.nesterov ?? false);
      src = `tf.train.momentum(${a.lr}, ${a.momentum}, ${a.nesterov ?? false})`;
    } else {
      this.optimizer = tf.train.sgd(a.lr);
      src = `tf.train.sgd(${a.lr})`;
    }
    for (const t of a.params) this.module(t);
    const varList = a.params.map((t) => `...${this.module(t).expr}.trainableWeights`).join(', ');
    this.optState = { targets: a.params, varList: `[${varList}]` };
    this.code.push(`const optimizer = ${src};`, `const varList = () => [${varList}]; // read at each step, as a custom loop does`);
  }

  private drawInput(): tf.Tensor {
    // One seed per step, so every step sees a fresh batch and the same --seed gives the same batches.
    return tf.randomUniform([this.trial.data.batch, ...this.m.inputShape], 0, 1, 'float32', this.dataSeed());
  }

  private dataSeed(): number {
    return this.trial.seed * 1000 + 1 + this.stepCount;
  }

  private inputCode(): string {
    return `const x = tf.randomUniform([${[this.trial.data.batch, ...this.m.inputShape].join(', ')}], 0, 1, 'float32', ${this.dataSeed()});`;
  }

  private kwargs(name: string): { training?: boolean } {
    const t = this.training.get(name);
    return t === undefined ? {} : { training: t };
  }

  private forward(x: tf.Tensor): tf.Tensor {
    return this.m.forward(x, (name) => this.kwargs(name));
  }

  private forwardCode(): string {
    return this.m.forwardCode((name) => {
      const t = this.training.get(name);
      return t === undefined ? '' : `, { training: ${t} }`;
    });
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
      const modes = Object.fromEntries(this.training);
      const { value, grads } = tf.variableGrads(() => {
        const y = this.forward(x);
        if (a.loss === 'sum') return tf.sum(y) as tf.Scalar;
        if (a.loss === 'mean') return tf.mean(y) as tf.Scalar;
        return tf.losses.meanSquaredError(this.m.target(y), y) as tf.Scalar;
      }, trainable);
      const gradData = await readGrads(this.m, grads);
      const toApply: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) if (selected.has(name)) toApply[name] = g;
      this.optimizer.applyGradients(toApply);
      const loss = (await value.data())[0]!;
      tf.dispose([x, value, ...Object.values(grads)]);
      this.stepCount++;
      this.steps.push({ index: this.steps.length, loss, grads: gradData, modes, after: await snapshot(this.m) });
    }
  }
}

/**
 * Provenance note: in tfjs-core 4.22, MomentumOptimizer.dispose() overrides SGDOptimizer.dispose()
 * without calling it, so the learning-rate scalar `c` survives (one leaked tensor per optimizer).
 * We free it here so a trial leaves the engine as it found it.
 */
function disposeOptimizer(opt: tf.Optimizer | undefined): void {
  if (!opt) return;
  opt.dispose();
  const c = (opt as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}

function describeCalls(order: string[], training: Map<string, boolean>): string {
  return order.map((n) => `${n} is called with ${training.has(n) ? `{ training: ${training.get(n)} }` : 'no training argument'}`).join('; ');
}

async function tensorBytes(t: tf.Tensor): Promise<Uint8Array> {
  const v = await t.data();
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** Every weight of the model, under its logical name; `kind` is fixed at build time from the framework's own `trainable`. */
async function snapshot(m: BuiltModel): Promise<TensorData[]> {
  return Promise.all(
    m.weights.map(async (w) => ({
      name: w.name,
      kind: w.kind,
      role: w.role,
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
