/**
 * Every claim's verdict on the installed framework versions, against expectations written from the
 * frameworks' documented behaviour (cited per line), not from ftprobe's output.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { BackendName } from '../src/backends/backend.js';
import type { VerdictValue } from '../src/claims/claim.js';
import { runClaims, type ClaimsReport } from '../src/claims/run.js';
import { describeBackend } from './helpers.js';

type Expectation = [VerdictValue, string];

const EXPECTED: Record<BackendName, Record<string, Expectation>> = {
  torch: {
    'freeze-keeps-params': ['holds', 'Module.requires_grad_: frozen params get no .grad; SGD.step skips params whose grad is None'],
    'exclude-keeps-params': ['holds', 'torch.optim: an optimizer only updates the params it was constructed with'],
    'exclude-still-computes-grads': ['holds', 'Autograd mechanics: backward() accumulates .grad into every leaf with requires_grad=True'],
    'param-settings-leave-bn': ['holds', 'BatchNorm1d: running_mean/running_var are buffers updated in training mode, whatever requires_grad says'],
    'eval-fixes-bn': ['holds', 'BatchNorm1d: in eval mode the running estimates are used and not updated'],
    'bn-stats-are-buffers': ['holds', 'BatchNorm1d registers running stats with register_buffer, not as Parameters'],
    'train-resets-eval': ['holds', 'Module.train(mode=True) sets the mode of the module and all its children'],
    'tf-trainable-freezes-bn': ['n/a', 'a TF claim'],
    'tf-training-flag-decides-mode': ['n/a', 'a TF claim'],
    'tf-only-trainable-reach-optimizer': ['n/a', 'a TF claim'],
    'tf-bn-stats-non-trainable': ['n/a', 'a TF claim'],
    'late-freeze-stops-updates': ['fails', 'Optimizer.zero_grad docs: a zero gradient and a None gradient behave differently; SGD momentum/weight_decay and Adam(W) update every param whose grad is not None'],
    'late-exclude-stops-updates': ['holds', 'a new optimizer holds only the params it was given'],
    'sum-loss-reaches-pre-bn': ['fails', 'BatchNorm in training mode normalises with batch statistics: the batch sum of its output is constant, so d(sum)/d(pre-BN) is exactly 0'],
    'eval-before-train-holds': ['fails', 'Module.train(mode=True) resets children set to eval'],
    'nograd-forward-updates-bn': ['holds', 'torch.no_grad disables gradient tracking only; BatchNorm1d still updates running stats in training mode'],
  },
  tfjs: {
    'freeze-keeps-params': ['holds', 'Layer.trainable = false removes its weights from trainableWeights, so no gradient is taken or applied'],
    'exclude-keeps-params': ['holds', 'Optimizer.applyGradients updates only the variables it is given'],
    'exclude-still-computes-grads': ['holds', 'tf.variableGrads computes a gradient for every variable in the list it is given (model.trainableWeights)'],
    'param-settings-leave-bn': ['holds', 'BatchNormalization updates its moving statistics when called with training: true'],
    'eval-fixes-bn': ['holds', 'BatchNormalization called with training: false uses and keeps its moving statistics'],
    'bn-stats-are-buffers': ['holds', 'BatchNormalization creates moving_mean/moving_variance as non-trainable weights'],
    'train-resets-eval': ['n/a', 'TF.js has no module mode'],
    'tf-trainable-freezes-bn': ['fails', 'tfjs-layers BatchNormalization.call reads kwargs.training only, never this.trainable'],
    'tf-training-flag-decides-mode': ['fails', 'tfjs-layers executor.execute calls each layer with the kwargs of fit, so neither trainable nor a build-time flag fixes BN'],
    'tf-only-trainable-reach-optimizer': ['holds', 'LayersModel.fit minimizes over collectedTrainableWeights'],
    'tf-bn-stats-non-trainable': ['holds', 'BatchNormalization adds moving stats with trainable=false; Layer.trainableWeights never lists non-trainable weights'],
    'late-freeze-stops-updates': ['fails', 'tfjs-core MomentumOptimizer/AdamOptimizer.applyGradients match their slot variables to gradients by position, so a shorter variable list after freezing meets slots of other shapes'],
    'late-exclude-stops-updates': ['holds', 'a new optimizer only receives the variables it is given'],
    'sum-loss-reaches-pre-bn': ['n/a', 'no float64 replay on the wasm backend'],
    'eval-before-train-holds': ['n/a', 'TF.js has no module mode'],
    'nograd-forward-updates-bn': ['holds', 'BatchNormalization follows the training flag, with or without gradient recording'],
  },
};

for (const name of ['torch', 'tfjs'] as const) {
  describeBackend(name, 'claims', () => {
    let report: ClaimsReport;
    before(async () => {
      report = await runClaims({ backend: [name] });
    });

    it('checks every claim once, with one verdict for this backend', () => {
      assert.deepEqual(report.claims.map((c) => c.id).sort(), Object.keys(EXPECTED[name]).sort());
      for (const c of report.claims) assert.equal(c.verdicts.length, 1, c.id);
    });

    for (const [id, [expected, why]] of Object.entries(EXPECTED[name])) {
      it(`${id}: ${expected} (${why})`, () => {
        const v = report.claims.find((c) => c.id === id)!.verdicts[0]!;
        assert.equal(v.verdict, expected, v.message);
        assert.equal(v.backend, name);
        assert.match(v.frameworkVersion, name === 'torch' ? /^PyTorch / : /^TensorFlow\.js 4\.22/);
        if (expected !== 'n/a') assert.ok(v.evidence.length > 0, `${id} carries evidence`);
      });
    }

    it('derives its advice from the verdicts of this run', () => {
      for (const a of report.advice) {
        const v = report.claims.find((c) => c.id === a.claim)!.verdicts[0]!;
        assert.equal(a.verdict, v.verdict);
        assert.equal(a.measured, v.message);
      }
      assert.ok(report.advice.length >= 4);
    });
  });
}
