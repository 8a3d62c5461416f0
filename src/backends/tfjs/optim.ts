import * as tf from '@tensorflow/tfjs';

/**
 * Provenance note: in tfjs-core 4.22, MomentumOptimizer.dispose() overrides SGDOptimizer.dispose()
 * without calling it, so the learning-rate scalar `c` survives (one leaked tensor per optimizer).
 * We free it here so a trial leaves the engine as it found it.
 */
export function disposeOptimizer(opt: tf.Optimizer | undefined): void {
  if (!opt) return;
  opt.dispose();
  const c = (opt as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}

