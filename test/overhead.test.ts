/**
 * Exact gradient-byte accounting of `bench overhead`: the bytes the framework allocated for
 * gradients equal the bytes of the parameters that received one, counted here from the
 * architectures (float32, 4 bytes per element). No timing is asserted.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { OverheadRequest } from '../src/backends/backend.js';
import { describeEachBackend, describeBackend } from './helpers.js';

const F32 = 4;
// seed MLP: input 2x16+16, fc1 16x16+16, bn 16+16, output 16x16+16, classifier 16x1+1 parameters.
const SEED_ALL = (2 * 16 + 16 + 16 * 16 + 16 + 16 + 16 + 16 * 16 + 16 + 16 + 1) * F32;
const SEED_HEAD = (16 + 1) * F32;
const request = (model: string, batch: number, image = 32): OverheadRequest => ({
  model,
  batch,
  image,
  reps: 1,
  warmup: 0,
  seed: 0,
  configs: ['neither', 'freeze', 'not_optimize', 'both'],
});

describeEachBackend('overhead gradient bytes on the seed MLP', (backend) => {
  it('neither and not_optimize allocate gradients for every parameter; freeze and both only for the head', async () => {
    const r = await backend().benchOverhead(request('seed-mlp', 16));
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const by = new Map(r.run.configs.map((c) => [c.config, c]));
    for (const c of ['neither', 'not_optimize'] as const) {
      assert.equal(by.get(c)!.samples[0]!.gradBytes, SEED_ALL, c);
      assert.equal(by.get(c)!.paramBytes, SEED_ALL, c);
    }
    for (const c of ['freeze', 'both'] as const) {
      assert.equal(by.get(c)!.samples[0]!.gradBytes, SEED_HEAD, c);
      assert.equal(by.get(c)!.gradParams.length, 2, c);
    }
  });
});

describeBackend('torch', 'overhead gradient bytes on torchvision resnet18', (backend) => {
  it('matches the parameter accounting: all 11.7M parameters, or the 512x1000+1000 fc head', async () => {
    const r = await backend().benchOverhead({ ...request('resnet18', 2), configs: ['neither', 'freeze'] });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const [neither, freeze] = r.run.configs;
    assert.equal(neither!.paramBytes, 11_689_512 * F32); // torchvision resnet18 has 11,689,512 parameters
    assert.equal(neither!.samples[0]!.gradBytes, neither!.paramBytes);
    assert.equal(freeze!.samples[0]!.gradBytes, (512 * 1000 + 1000) * F32);
    assert.deepEqual(freeze!.gradParams, ['fc.weight', 'fc.bias']);
    assert.ok(freeze!.samples[0]!.memBytes < neither!.samples[0]!.memBytes, 'freezing saves activation memory');
  });
});
