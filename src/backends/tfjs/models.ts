/**
 * Built-in models in tfjs-layers. `seed-mlp` mirrors the survey's torch model: `feature` is a
 * nested functional model with the same layer names (the `act` ReLU layer is applied twice, as in
 * the survey's code) and `classifier` is Dense(1).
 *
 * Divergence notes, chosen so the two backends train the same model:
 * - Dense kernels and biases are drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the distribution of
 *   torch's nn.Linear default init, with seeded initializers (Keras would use glorot + zero bias).
 * - BatchNormalization uses momentum 0.9 and epsilon 1e-5, torch's momentum=0.1 / eps=1e-5
 *   (Keras's momentum is the weight of the old value: 1 - torch's momentum).
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltinModelSpec } from '../../spec/schema.js';
import type { TensorKind, TensorRole } from '../backend.js';

type LayerVariable = tf.LayersModel['weights'][number];

export interface Module {
  layer: tf.layers.Layer;
  /** How user code refers to it, for the recorded code. */
  expr: string;
}

export interface WeightRef {
  name: string;
  kind: TensorKind;
  role: TensorRole;
  variable: LayerVariable;
}

export interface BuiltModel {
  model: tf.LayersModel;
  modules: Map<string, Module>;
  /** Sub-models called one after the other in forward(); each gets its own `training` argument. */
  callOrder: string[];
  /** Calls the sub-models one by one, each with its own kwargs (for a per-sub-model training flag). */
  forwardParts(x: tf.Tensor, kwargs: (name: string) => { training?: boolean }): tf.Tensor;
  forwardPartsCode(kwargs: (name: string) => string): string;
  target(y: tf.Tensor): tf.Tensor;
  weights: WeightRef[];
  inputShape: number[];
  code: string[];
}

export function buildModel(spec: BuiltinModelSpec, seed: number): BuiltModel {
  switch (spec.builtin) {
    case 'seed-mlp':
      return seedMlp(seed, spec.featureTraining);
  }
}

/**
 * A user's LayersModel: every layer is a module under its name (nested models' layers as
 * `<model>.<layer>`); the whole model is the only thing called, so train/eval apply to `model`.
 */
export function wrapLoadedModel(model: tf.LayersModel, path: string, inputShape: number[] | undefined, seed: number): BuiltModel {
  const modules = new Map<string, Module>([['model', { layer: model, expr: 'model' }]]);
  const walk = (m: tf.LayersModel, prefix: string, expr: string) => {
    for (const l of m.layers) {
      const name = prefix + l.name;
      const e = `${expr}.getLayer('${l.name}')`;
      modules.set(name, { layer: l, expr: e });
      if (l instanceof tf.LayersModel) walk(l, name + '.', e);
    }
  };
  walk(model, '', 'model');
  const shape = inputShape ?? (model.inputs[0]!.shape.slice(1) as number[]);
  if (shape.some((d) => d === null)) throw new Error(`${path}: the input shape has unknown dimensions; give input.shape in the recipe`);
  const targetSeed = seed * 1000 + 999;
  return {
    model,
    modules,
    callOrder: [],
    forwardParts: () => {
      throw new Error('a loaded model is called as a whole');
    },
    forwardPartsCode: () => 'model.apply(x)',
    target: (y) => tf.randomNormal(y.shape, 0, 1, 'float32', targetSeed),
    weights: collectWeights(model),
    inputShape: shape,
    code: [`const model = await tf.loadLayersModel(${JSON.stringify(path)}); // read from disk by ftprobe's file handler`],
  };
}

function dense(units: number, fanIn: number, name: string, seed: number): tf.layers.Layer {
  const b = 1 / Math.sqrt(fanIn);
  return tf.layers.dense({
    units,
    name,
    kernelInitializer: tf.initializers.randomUniform({ minval: -b, maxval: b, seed }),
    biasInitializer: tf.initializers.randomUniform({ minval: -b, maxval: b, seed: seed + 1 }),
  });
}

function seedMlp(seed: number, featureTraining: boolean | undefined): BuiltModel {
  const s = seed * 100;
  const x = tf.input({ shape: [2], name: 'x' });
  const act = tf.layers.activation({ activation: 'relu', name: 'act' });
  const bn = tf.layers.batchNormalization({ name: 'bn', momentum: 0.9, epsilon: 1e-5 });
  const h1 = act.apply(dense(16, 2, 'input', s + 1).apply(x)) as tf.SymbolicTensor;
  const h2 = act.apply(dense(16, 16, 'fc1', s + 3).apply(h1)) as tf.SymbolicTensor;
  const out = dense(16, 16, 'output', s + 5).apply(bn.apply(h2)) as tf.SymbolicTensor;
  const feature = tf.model({ inputs: x, outputs: out, name: 'feature' });
  const classifier = dense(1, 16, 'classifier', s + 7);
  const mx = tf.input({ shape: [2], name: 'model_x' });
  // featureTraining: the flag is fixed in the graph when it is built, as `base(inputs, training=False)` in Keras.
  const built = featureTraining === undefined ? {} : { training: featureTraining };
  const model = tf.model({ inputs: mx, outputs: classifier.apply(feature.apply(mx, built)) as tf.SymbolicTensor, name: 'model' });
  const modules = new Map<string, Module>([
    ['model', { layer: model, expr: 'model' }],
    ['feature', { layer: feature, expr: 'feature' }],
    ['classifier', { layer: classifier, expr: 'classifier' }],
    ...['input', 'act', 'fc1', 'bn', 'output'].map((n): [string, Module] => [`feature.${n}`, { layer: feature.getLayer(n), expr: `feature.getLayer('${n}')` }]),
  ]);
  const targetSeed = seed * 1000 + 999;
  return {
    model,
    modules,
    callOrder: ['feature', 'classifier'],
    forwardParts: (input, kw) => classifier.apply(feature.apply(input, kw('feature')), kw('classifier')) as tf.Tensor,
    forwardPartsCode: (kw) => `classifier.apply(feature.apply(x${kw('feature')})${kw('classifier')})`,
    target: (y) => tf.randomNormal(y.shape, 0, 1, 'float32', targetSeed),
    weights: collectWeights(model),
    inputShape: [2],
    code: [
      `// seed ${seed}: Dense init U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch's nn.Linear; BN momentum 0.9, epsilon 1e-5 as torch's defaults`,
      `const feature = tf.model({ name: 'feature', ... }); // input Dense(16), act ReLU, fc1 Dense(16), act, bn BatchNormalization, output Dense(16)`,
      `const classifier = tf.layers.dense({ units: 1, name: 'classifier' });`,
      `const model = tf.model({ ..., outputs: classifier.apply(feature.apply(x${featureTraining === undefined ? '' : `, { training: ${featureTraining} }`})) });`,
    ],
  };
}

/** Walks nested models: `<sub-model>.<layer>.<weight>`, the top model's own layers directly under their names. */
function collectWeights(model: tf.LayersModel): WeightRef[] {
  const out: WeightRef[] = [];
  const walk = (layer: tf.layers.Layer, prefix: string) => {
    if (layer instanceof tf.LayersModel) {
      for (const l of layer.layers) walk(l, prefix + (layer === model ? '' : layer.name + '.'));
      return;
    }
    const isBn = layer.getClassName() === 'BatchNormalization';
    for (const w of layer.weights) {
      const short = w.originalName.split('/').pop()!;
      out.push({
        name: `${prefix}${layer.name}.${short}`,
        kind: w.trainable ? 'param' : 'buffer',
        role: isBn && short === 'moving_mean' ? 'bn-mean' : isBn && short === 'moving_variance' ? 'bn-var' : 'other',
        variable: w,
      });
    }
  };
  walk(model, '');
  // Parameters first, then buffers, in model order: the same layout as torch's named_parameters + named_buffers.
  return [...out.filter((w) => w.kind === 'param'), ...out.filter((w) => w.kind === 'buffer')];
}
