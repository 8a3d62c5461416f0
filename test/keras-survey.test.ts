/**
 * The `keras` survey and the survey's four TF claims, measured on TF.js. Where TF.js and Keras
 * differ, the expectation is TF.js's own documented or source-level behaviour, cited per test:
 * - tfjs-layers BatchNormalization.call (src/layers/normalization.ts) picks batch statistics from
 *   kwargs.training only; it never reads this.trainable.
 * - tfjs-layers executor.execute (src/engine/executor.ts) calls every layer with fit's own kwargs,
 *   so a `training` given when the functional graph was built is not kept.
 * - tfjs-layers Layer.trainableWeights returns [] for a non-trainable layer, and model.fit hands
 *   the optimizer model.trainableWeights (LayersModel.fit docs: "trainable weights").
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { evaluateClaims, type ClaimResult } from '../src/claims/evaluate.js';
import { claimsForSurvey } from '../src/claims/registry.js';
import { runSurvey, type Row, type SurveyResult } from '../src/run/survey.js';
import { describeBackend, skipReason } from './helpers.js';

const bnMoved = (r: Row) => r.tensors.some((t) => (t.role === 'bn-mean' || t.role === 'bn-var') && t.status === 'changed');

describeBackend('tfjs', 'keras survey', (backend) => {
  let result: SurveyResult;
  let claims: ClaimResult[];
  const row = (trainable: string, driver: string) => result.runs[0]!.rows.find((r) => r.settings.trainable === trainable && r.settings.driver === driver)!;
  const verdict = (id: string) => claims.find((c) => c.id === id)!.verdicts[0]!;
  before(async () => {
    result = await runSurvey('keras', { backends: [backend()] });
    claims = evaluateClaims(claimsForSurvey('keras'), [result]);
  });

  it('runs 28 rows (4 trainable settings x 7 drivers) to completion', () => {
    assert.equal(result.runs[0]!.rows.length, 28);
    assert.ok(result.runs[0]!.rows.every((r) => r.state === 'completed'));
  });

  it('predict, evaluate and training: false never move BN statistics', () => {
    for (const t of ['none', 'all-but-bn', 'bn-only', 'all']) for (const d of ['predict', 'evaluate', 'step-training-false']) assert.equal(bnMoved(row(t, d)), false, `${t} ${d}`);
  });

  it('fit and training: true move BN statistics even when BN is frozen (TF.js reads only the training flag)', () => {
    for (const t of ['none', 'bn-only', 'all']) for (const d of ['fit', 'step-training-true']) assert.equal(bnMoved(row(t, d)), true, `${t} ${d}`);
  });

  it('a training: false fixed when the model is built does not survive fit or a training: true call', () => {
    assert.equal(bnMoved(row('none', 'fit-built-false')), true);
    assert.equal(bnMoved(row('none', 'step-built-false')), true);
  });

  it('trainable = false keeps every frozen weight bit-identical and out of the optimizer', () => {
    for (const d of ['fit', 'step-training-true']) {
      const r = row('all', d);
      for (const t of r.tensors.filter((x) => x.name.startsWith('feature.') && x.kind === 'param')) {
        assert.equal(t.status, 'unchanged', `${d} ${t.name}`);
        assert.equal(t.trainable, false, t.name);
      }
      assert.deepEqual(r.optimized.sort(), ['classifier.bias', 'classifier.kernel']);
    }
  });

  it('freezing BN only keeps gamma and beta fixed while the other layers train', () => {
    const r = row('bn-only', 'fit');
    for (const t of r.tensors.filter((x) => x.name === 'feature.bn.gamma' || x.name === 'feature.bn.beta')) assert.equal(t.status, 'unchanged', t.name);
    assert.equal(r.tensors.find((x) => x.name === 'feature.fc1.kernel')!.status, 'changed');
  });

  it('T1 fails on TF.js: updates stop but BN does not switch to inference mode', () => {
    const v = verdict('tf-trainable-freezes-bn');
    assert.equal(v.verdict, 'fails');
    assert.match(v.message, /did stop gradient updates/);
    assert.ok(v.evidence.some((e) => e.tensor === 'feature.bn.moving_mean' && e.status === 'changed'));
  });

  it('T2 fails on TF.js only for the build-time flag and for trainable BN in fit', () => {
    const v = verdict('tf-training-flag-decides-mode');
    assert.equal(v.verdict, 'fails');
    assert.match(v.message, /^5 of 7 rows agree; fit-built-false .*; fit with bn-only frozen/);
  });

  it('T3 and T4 hold on TF.js', () => {
    assert.equal(verdict('tf-only-trainable-reach-optimizer').verdict, 'holds');
    assert.equal(verdict('tf-bn-stats-non-trainable').verdict, 'holds');
    assert.equal(verdict('tf-bn-stats-non-trainable').frameworkVersion, 'TensorFlow.js 4.22.0');
  });
});

describe('TF claims on torch', { skip: skipReason('torch') }, () => {
  it('are n/a with the reason, and the keras survey is skipped on torch', async () => {
    const result = await runSurvey('keras', { backend: ['torch'] });
    assert.ok(result.runs[0]!.rows.every((r) => r.state === 'skipped'));
    for (const c of evaluateClaims(claimsForSurvey('keras'), [result])) {
      assert.equal(c.verdicts[0]!.verdict, 'n/a');
      assert.match(c.verdicts[0]!.message, /TensorFlow\/Keras claim/);
    }
  });
});
