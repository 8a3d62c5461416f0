/** tfjs tensors are manual memory: a trial must dispose everything it made, including on a skip. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { liveTensorCount } from '../src/backends/tfjs/index.js';
import { expandSurvey } from '../src/spec/expand.js';
import { loadSurvey } from '../src/spec/load.js';
import { describeBackend } from './helpers.js';

describeBackend('tfjs', 'tensor leaks', (backend) => {
  it('no seed trial leaves a tensor behind', async () => {
    for (const trial of expandSurvey(loadSurvey('seed'))) {
      const before = liveTensorCount();
      const r = await backend().runTrial(trial);
      assert.equal(r.state, 'completed');
      assert.equal(liveTensorCount(), before, trial.id);
    }
  });

  it('a multi-step trial with momentum leaves none either, nor does a skipped one', async () => {
    const [trial] = expandSurvey(loadSurvey('seed'));
    const steps = { ...trial!, actions: [{ op: 'optimizer', kind: 'sgd', lr: 0.01, momentum: 0.9, params: ['model'] }, { op: 'train', target: 'model' }, { op: 'step', loss: 'mse', zeroGrad: 'zeros', times: 3 }] } as typeof trial & {};
    const before = liveTensorCount();
    const r = await backend().runTrial(steps);
    assert.equal(r.state, 'completed');
    if (r.state === 'completed') assert.equal(r.measurement.steps.length, 3);
    assert.equal(liveTensorCount(), before);
    const adamw = { ...trial!, actions: [{ op: 'optimizer', kind: 'adamw', lr: 0.01, params: ['model'] }] } as typeof trial & {};
    const s = await backend().runTrial(adamw);
    assert.deepEqual(s, { state: 'skipped', reason: 'TF.js has no AdamW optimizer' });
    assert.equal(liveTensorCount(), before);
  });
});
