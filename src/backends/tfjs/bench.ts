/**
 * The overhead bench on TF.js: the four configurations of the survey on one model, timed per phase
 * with the framework doing the work. Forward is timed alone; `tf.variableGrads` runs forward and
 * backward together, so backward is reported as (forward+backward) - forward. Memory is tf.profile's
 * peak bytes during one profiled step minus the bytes live before it.
 */
import * as tf from '@tensorflow/tfjs';
import type { OverheadConfig, OverheadRequest, OverheadRun } from '../backend.js';
import { buildModel } from './models.js';
import { disposeOptimizer } from './optim.js';
import { buildZooModel, ZOO_MODELS, type ZooModel } from './zoo.js';

function build(name: string, image: number): { model: tf.LayersModel; head: tf.layers.Layer; inputShape: number[] } {
  if (name === 'seed-mlp') {
    const m = buildModel({ builtin: 'seed-mlp' }, 0);
    return { model: m.model, head: m.modules.get('classifier')!.layer, inputShape: m.inputShape };
  }
  if (!(ZOO_MODELS as readonly string[]).includes(name)) throw new Error(`unknown model ${name}`);
  const { model, head } = buildZooModel(name as ZooModel, image);
  return { model, head, inputShape: [image, image, 3] };
}

const now = () => performance.now();

/**
 * Runs `fn` on the current tensor backend; if the backend lacks a kernel the model needs (tfjs
 * 4.22's wasm backend has no Conv2DBackpropFilter nor depthwise backprop kernels, so it cannot
 * train a CNN), runs it again on the cpu backend and says so. The process's backend is restored.
 */
export async function withKernelFallback<R>(fn: () => Promise<R>): Promise<{ result: R; notes: string[] }> {
  try {
    return { result: await fn(), notes: [] };
  } catch (err) {
    const missing = err instanceof Error && /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(err.message);
    if (!missing) throw err;
    const previous = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      return { result: await fn(), notes: [`the ${missing[2]} tensor backend has no '${missing[1]}' kernel, so this ran on the cpu backend`] };
    } finally {
      await tf.setBackend(previous);
    }
  }
}

export async function benchOverheadTfjs(req: OverheadRequest): Promise<OverheadRun> {
  const { result, notes } = await withKernelFallback(() => benchConfigs(req));
  return {
    model: req.model,
    batch: req.batch,
    threads: null,
    memoryMeasure: `tf.profile peak bytes during a step minus bytes live before it (activations, gradients, temporaries); tensor backend ${result.backend}`,
    notes,
    configs: result.configs,
  };
}

async function benchConfigs(req: OverheadRequest): Promise<{ configs: OverheadRun['configs']; backend: string }> {
  const configs: OverheadRun['configs'] = [];
  for (const config of req.configs) {
    const { model, head, inputShape } = build(req.model, req.image);
    const frozen = config === 'freeze' || config === 'both';
    const headOnly = config === 'not_optimize' || config === 'both';
    const paramBytes = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) * 4, 0);
    if (frozen) for (const l of model.layers) if (l !== head) l.trainable = false;
    const optimizer: tf.Optimizer = tf.train.momentum(1e-3, 0.9);
    const x = tf.randomUniform([req.batch, ...inputShape], 0, 1, 'float32', req.seed + 1);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const applied = new Set(headOnly ? head.trainableWeights.map((w) => (w.read() as tf.Variable).name) : vars.map((v) => v.name));
    const loss = () => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
    const step = () => {
      const t0 = now();
      tf.tidy(() => {
        loss();
      });
      const t1 = now();
      const { value, grads } = tf.variableGrads(loss, vars);
      const t2 = now();
      const toApply: tf.NamedTensorMap = {};
      for (const [n, g] of Object.entries(grads)) if (applied.has(n)) toApply[n] = g;
      optimizer.applyGradients(toApply);
      const t3 = now();
      const gradBytes = Object.values(grads).reduce((n, g) => n + g.size * 4, 0);
      const gradParams = Object.keys(grads);
      tf.dispose([value, ...Object.values(grads)]);
      // Derived, so noise can make it negative on tiny models: clamped at 0.
      return { forwardMs: t1 - t0, backwardMs: Math.max(0, t2 - t1 - (t1 - t0)), optimizerMs: t3 - t2, gradBytes, gradParams };
    };
    for (let i = 0; i < req.warmup; i++) step();
    const samples: OverheadConfig['samples'] = [];
    let gradParams: string[] = [];
    for (let i = 0; i < req.reps; i++) {
      const s = step();
      gradParams = s.gradParams;
      samples.push({ forwardMs: s.forwardMs, backwardMs: s.backwardMs, optimizerMs: s.optimizerMs, gradBytes: s.gradBytes, memBytes: 0 });
    }
    // One profiled step for memory: profiling adds bookkeeping, so it is kept out of the timings.
    const before = tf.memory().numBytes;
    const prof = await tf.profile(() => {
      step();
    });
    for (const s of samples) s.memBytes = prof.peakBytes - before;
    const names = new Map(model.weights.map((w) => [(w.read() as tf.Variable).name, w.originalName]));
    configs.push({
      config,
      paramBytes,
      gradParams: gradParams.map((n) => names.get(n) ?? n),
      samples,
    });
    x.dispose();
    disposeOptimizer(optimizer);
    model.dispose();
  }
  return { configs, backend: tf.getBackend() };
}

export interface StepTiming {
  stepMs: number[];
  /** From one profiled step: kernels dispatched and the time spent inside them. */
  kernels: number;
  kernelMs: number;
  profiledStepMs: number;
  tensorBackend: string;
}

function smallCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/**
 * Wall time of plain TF.js training steps, written the fast way: one tf.tidy per step,
 * optimizer.minimize with returnCost = false (no read-back), training: true. Then one step under
 * tf.profile, to split the time into kernels and everything else (dispatch, bookkeeping).
 */
export async function timeSteps(model: 'seed-mlp' | 'small-cnn', batch: number, steps: number, warmup = 5): Promise<StepTiming & { notes: string[] }> {
  const { result, notes } = await withKernelFallback(() => timeStepsOn(model, batch, steps, warmup));
  return { ...result, notes };
}

async function timeStepsOn(model: 'seed-mlp' | 'small-cnn', batch: number, steps: number, warmup: number): Promise<StepTiming> {
  const m = model === 'seed-mlp' ? buildModel({ builtin: 'seed-mlp' }, 0).model : smallCnn();
  const shape = model === 'seed-mlp' ? [2] : [28, 28, 1];
  const x = tf.randomUniform([batch, ...shape]);
  const opt: tf.Optimizer = tf.train.sgd(1e-3);
  const step = () => tf.tidy(() => void opt.minimize(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, false));
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    step();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  // The wasm backend runs kernels synchronously, so wall time above is compute time; make sure anyway.
  await (m.weights[0]!.read() as tf.Tensor).data();
  const t0 = performance.now();
  const prof = await tf.profile(step);
  const profiledStepMs = performance.now() - t0;
  const kernelTimes = await Promise.all(prof.kernels.map(async (k) => Number(await k.kernelTimeMs) || 0));
  x.dispose();
  disposeOptimizer(opt);
  m.dispose();
  return { stepMs: times, kernels: prof.kernels.length, kernelMs: kernelTimes.reduce((a, b) => a + b, 0), profiledStepMs, tensorBackend: tf.getBackend() };
}
