/**
 * Image models for the overhead bench, built with tfjs-layers after their torchvision namesakes
 * (same stage widths, block counts and head), NHWC: ResNet-18/50 (basic / bottleneck blocks) and
 * MobileNetV2 (inverted residuals with depthwise convolutions, ReLU6). Random init: nothing is
 * downloaded. The final Dense layer is named `head`; everything before it is the backbone.
 */
import * as tf from '@tensorflow/tfjs';

type T = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;

function convBn(x: T, filters: number, kernel: number, stride: number, act: 'relu' | 'relu6' | null): T {
  let y = apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false }), x);
  y = apply(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }), y);
  if (act === 'relu') y = apply(tf.layers.reLU(), y);
  if (act === 'relu6') y = apply(tf.layers.reLU({ maxValue: 6 }), y);
  return y;
}

function resnet(input: T, blocks: number[], bottleneck: boolean): T {
  let x = convBn(input, 64, 7, 2, 'relu');
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x);
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let b = 0; b < blocks[stage]!; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const out = bottleneck ? width * 4 : width;
      let y: T;
      if (bottleneck) {
        y = convBn(x, width, 1, 1, 'relu');
        y = convBn(y, width, 3, stride, 'relu');
        y = convBn(y, out, 1, 1, null);
      } else {
        y = convBn(x, width, 3, stride, 'relu');
        y = convBn(y, width, 3, 1, null);
      }
      const shortcut = stride !== 1 || channels !== out ? convBn(x, out, 1, stride, null) : x;
      x = apply(tf.layers.reLU(), apply(tf.layers.add(), [y, shortcut]));
      channels = out;
    }
  });
  return apply(tf.layers.globalAveragePooling2d({}), x);
}

function mobilenetV2(input: T): T {
  let x = convBn(input, 32, 3, 2, 'relu6');
  let channels = 32;
  const settings: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  for (const [t, c, n, s] of settings)
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let y = t === 1 ? x : convBn(x, channels * t, 1, 1, 'relu6');
      y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }), y);
      y = apply(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }), y);
      y = apply(tf.layers.reLU({ maxValue: 6 }), y);
      y = convBn(y, c, 1, 1, null);
      x = stride === 1 && channels === c ? apply(tf.layers.add(), [x, y]) : y;
      channels = c;
    }
  x = convBn(x, 1280, 1, 1, 'relu6');
  return apply(tf.layers.globalAveragePooling2d({}), x);
}

export const ZOO_MODELS = ['resnet18', 'resnet50', 'mobilenet_v2'] as const;
export type ZooModel = (typeof ZOO_MODELS)[number];

export function buildZooModel(name: ZooModel, image: number): { model: tf.LayersModel; head: tf.layers.Layer } {
  const input = tf.input({ shape: [image, image, 3] });
  const features = name === 'resnet18' ? resnet(input, [2, 2, 2, 2], false) : name === 'resnet50' ? resnet(input, [3, 4, 6, 3], true) : mobilenetV2(input);
  const head = tf.layers.dense({ units: 1000, name: 'head' });
  return { model: tf.model({ inputs: input, outputs: apply(head, features), name }), head };
}
