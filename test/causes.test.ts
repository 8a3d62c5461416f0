/**
 * Causes are measured from the gradient and the optimizer's own state before each update.
 * Expectations from torch.optim docs: SGD with momentum keeps a momentum_buffer that moves a
 * parameter whose gradient is zero; SGD weight_decay adds wd*param to a zero gradient; AdamW applies
 * decoupled decay and its moments; parameters with grad None are skipped entirely.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { runSurvey, type Row, type SurveyResult } from '../src/run/survey.js';
import { describeBackend } from './helpers.js';

describeBackend('torch', 'measured causes in the pitfalls survey', (backend) => {
  let result: SurveyResult;
  const row = (settings: Record<string, string>): Row =>
    result.runs[0]!.rows.find((r) => Object.entries(settings).every(([k, v]) => r.settings[k] === v))!;
  const lateCauses = (r: Row) => [...new Set(r.steps.slice(3).flatMap((s) => s.tensors.filter((t) => t.name.startsWith('feature.') && t.kind === 'param').flatMap((t) => t.causes)))].sort();
  before(async () => {
    result = await runSurvey('pitfalls', { backends: [backend()] });
  });

  it('frozen parameters under momentum with zeroed gradients move by optimizer state', () => {
    assert.deepEqual(lateCauses(row({ case: 'late-freeze', optimizer: 'momentum', zeroGrad: 'zeros' })), ['optimizer-state']);
  });

  it('under weight decay by weight decay, under AdamW by both', () => {
    assert.deepEqual(lateCauses(row({ case: 'late-freeze', optimizer: 'weight-decay', zeroGrad: 'zeros' })), ['weight-decay']);
    assert.deepEqual(lateCauses(row({ case: 'late-freeze', optimizer: 'adamw', zeroGrad: 'zeros' })), ['optimizer-state', 'weight-decay']);
  });

  it('with set_to_none=True nothing moves them', () => {
    for (const optimizer of ['momentum', 'weight-decay', 'adam', 'adamw']) assert.deepEqual(lateCauses(row({ case: 'late-freeze', optimizer, zeroGrad: 'none' })), [], optimizer);
  });

  it('BN statistics move by a forward pass; the table reports the outcome with its cause', () => {
    const r = row({ case: 'late-freeze', optimizer: 'adamw', zeroGrad: 'zeros' });
    assert.deepEqual(r.tensors.find((t) => t.name === 'feature.bn.running_mean')!.causes, ['bn-forward']);
    assert.deepEqual(r.outcome!.featureMovedLate, true);
    assert.deepEqual(r.outcomeCauses.featureMovedLate, ['optimizer-state', 'weight-decay']);
  });

  it('in the survey loss, pre-BN layers move by a roundoff gradient', () => {
    const r = row({ case: 'loss-sum' });
    assert.deepEqual(r.tensors.find((t) => t.name === 'feature.fc1.bias')!.causes, ['roundoff-gradient']);
    assert.deepEqual(row({ case: 'loss-mse' }).tensors.find((t) => t.name === 'feature.fc1.bias')!.causes, ['gradient']);
  });
});
