/**
 * The bn-frozen study on TF.js, for what TF.js can express: the synthetic task with the policies
 * `frozen` (feature called with training: false), `train` (training: true: batch statistics, moving
 * statistics updated) and `train-affine` (BN gamma/beta trainable, training: true).
 * Not expressible, and reported as such: `batch-stats` (BatchNormalization has no
 * track_running_stats), `adabn` (no public way to reset the moving statistics and average them
 * cumulatively), and the digits CNN (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so
 * pretraining it would run on the pure-JS cpu backend at seconds per step).
 */
import * as tf from '@tensorflow/tfjs';
import type { StudyRunOutcome, StudyRunRequest } from '../backend.js';
import { disposeOptimizer } from './optim.js';

const SHIFT = { none: 0, mild: 1, strong: 3 } as Record<string, number>;
const pretrained = new Map<string, tf.Tensor[]>();

function synthetic(n: number, shift: string, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const means = tf.randomNormal([4, 16], 0, 0.6, 'float32', 7);
    const y = tf.randomUniform([n], 0, 4, 'int32', seed) as tf.Tensor1D;
    const s = SHIFT[shift] ?? 0;
    const direction = tf.randomNormal([16], 0, 1, 'float32', 11);
    const x = tf.gather(means, y).add(tf.randomNormal([n, 16], 0, 1, 'float32', seed + 1)).mul(1 + s).add(direction.mul(2 * s)) as tf.Tensor2D;
    return { x, y };
  });
}

function feature(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [16], units: 64 }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.reLU(),
      tf.layers.dense({ units: 64 }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.reLU(),
    ],
  });
}

/** A head built at once (a lazily built layer has no weights for the optimizer yet). */
function newHead(seed: number): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
}

const bnLayers = (m: tf.Sequential) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
const xent = (logits: tf.Tensor, y: tf.Tensor1D) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 4), logits) as tf.Scalar;

function pretrainedWeights(seed: number, steps: number): tf.Tensor[] {
  const key = `${seed}|${steps}`;
  const cached = pretrained.get(key);
  if (cached) return cached;
  const f = feature();
  const head = newHead(seed);
  const { x, y } = synthetic(4000, 'none', 1000 + seed);
  const opt: tf.Optimizer = tf.train.adam(1e-3);
  // An explicit variable list: minimize() would otherwise take every trainable variable in the engine.
  const vars = [...f.trainableWeights, ...head.trainableWeights].map((w) => w.read() as tf.Variable);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const idx = tf.randomUniform([64], 0, 4000, 'int32', seed * 100_000 + i);
      opt.minimize(() => xent(head.apply(f.apply(tf.gather(x, idx), { training: true })) as tf.Tensor, tf.gather(y, idx) as tf.Tensor1D), false, vars);
    });
  }
  const weights = f.getWeights().map((w) => tf.keep(w.clone()));
  pretrained.set(key, weights);
  tf.dispose([x, y]);
  disposeOptimizer(opt);
  f.dispose();
  head.dispose();
  return weights;
}

function accuracy(f: tf.Sequential, head: tf.Sequential, x: tf.Tensor2D, y: tf.Tensor1D, batch: number | null): number {
  return tf.tidy(() => {
    if (batch === null) return tf.mean(tf.equal(tf.argMax(head.apply(f.apply(x, { training: false })) as tf.Tensor, 1), y)).dataSync()[0]!;
    let correct = 0;
    let total = 0;
    for (let i = 0; i + batch <= x.shape[0]; i += batch) {
      const xb = x.slice([i, 0], [batch, 16]);
      const yb = y.slice([i], [batch]);
      correct += tf.sum(tf.equal(tf.argMax(head.apply(f.apply(xb, { training: true })) as tf.Tensor, 1), yb)).dataSync()[0]!;
      total += batch;
    }
    return correct / Math.max(total, 1);
  });
}

export async function studyRunTfjs(req: StudyRunRequest): Promise<StudyRunOutcome> {
  const unsupported = (message: string): StudyRunOutcome => ({ ok: false, unsupported: true, error: { code: 'unsupported', message } });
  if (req.task !== 'synthetic') return unsupported('the digits CNN cannot be pretrained on tfjs-backend-wasm 4.22 (no Conv2DBackpropFilter kernel)');
  if (req.policy === 'batch-stats') return unsupported('TF.js BatchNormalization has no track_running_stats option');
  if (req.policy === 'adabn') return unsupported('TF.js has no public API to reset BN moving statistics and average them cumulatively');
  const t0 = performance.now();
  const weights = pretrainedWeights(req.seed, req.pretrainSteps);
  const f = feature();
  f.setWeights(weights);
  f.trainable = false;
  const bns = bnLayers(f);
  if (req.policy === 'train-affine') for (const l of bns) l.trainable = true;
  const head = newHead(req.seed + 17);
  const train = synthetic(2000, req.shift, 2000 + req.seed);
  const test = synthetic(2000, req.shift, 3000 + req.seed);
  const statsBefore = bns.map((l) => l.getWeights().slice(2).map((w) => w.dataSync().slice()));
  const affineBefore = bns.map((l) => l.getWeights()[0]!.dataSync().slice());
  const training = req.policy !== 'frozen';
  const opt: tf.Optimizer = tf.train.adam(1e-2);
  for (let i = 0; i < req.steps; i++) {
    tf.tidy(() => {
      const idx = tf.randomUniform([req.batch], 0, 2000, 'int32', req.seed * 100_000 + 23 + i);
      const xb = tf.gather(train.x, idx);
      const yb = tf.gather(train.y, idx) as tf.Tensor1D;
      // The frozen container reports no trainable weights, so BN's own (train-affine) are collected per layer, as in Keras.
      const vars = [...head.trainableWeights, ...bns.flatMap((l) => l.trainableWeights)].map((w) => w.read() as tf.Variable);
      opt.minimize(() => xent(head.apply(f.apply(xb, { training })) as tf.Tensor, yb), false, vars);
    });
  }
  const changed = (a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array) => a.length !== b.length || a.some((v, i) => !Object.is(v, b[i]));
  const statsChanged = bns.some((l, i) => l.getWeights().slice(2).some((w, j) => changed(statsBefore[i]![j]!, w.dataSync())));
  const affineChanged = bns.some((l, i) => changed(affineBefore[i]!, l.getWeights()[0]!.dataSync()));
  const accEval = accuracy(f, head, test.x, test.y, null);
  // A train-mode pass moves the moving statistics; it is the last thing done with this model.
  const accTrainMode = accuracy(f, head, test.x.slice([0, 0], [1000, 16]), test.y.slice([0], [1000]), req.batch);
  tf.dispose([train.x, train.y, test.x, test.y]);
  disposeOptimizer(opt);
  f.dispose();
  head.dispose();
  return {
    ok: true,
    result: { accEval, accTrainMode, bnTrainingDuringFineTune: [training], bnStatsChangedDuringFineTune: statsChanged, bnAffineChanged: affineChanged, seconds: (performance.now() - t0) / 1000 },
  };
}
