/**
 * A small TF.js LayersModel written to disk as model.json + weights.bin, for audit tests and the
 * README example: backbone Dense(16) -> BatchNormalization -> ReLU -> Dense(16), head Dense(3).
 */
import * as tf from '@tensorflow/tfjs';
import { saveLayersModelToFile } from './io.js';

export async function writeSmallLayersModel(path: string, seed = 0): Promise<void> {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 10 + s });
  const model = tf.sequential({
    name: 'small',
    layers: [
      tf.layers.dense({ inputShape: [8], units: 16, name: 'backbone_dense', kernelInitializer: init(1) }),
      tf.layers.batchNormalization({ name: 'backbone_bn' }),
      tf.layers.reLU({ name: 'backbone_relu' }),
      tf.layers.dense({ units: 16, name: 'backbone_out', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 3, name: 'head', kernelInitializer: init(3) }),
    ],
  });
  await saveLayersModelToFile(model, path);
  model.dispose();
}
