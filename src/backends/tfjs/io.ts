/**
 * TF.js LayersModel files on disk, without tfjs-node (whose file:// handler we cannot install):
 * `model.json` plus the weight files its manifest names, read with node:fs; and the reverse, for
 * writing fixtures. No network is ever touched.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export async function loadLayersModelFromFile(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${path} is not a TF.js LayersModel model.json (no modelTopology/weightsManifest)`);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(path), p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
}

export async function saveLayersModelToFile(model: tf.LayersModel, path: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dirname(path), { recursive: true });
      const data = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]);
      writeFileSync(join(dirname(path), 'weights.bin'), Buffer.from(data));
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
      };
      writeFileSync(path, JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
