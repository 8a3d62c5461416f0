/**
 * The survey's experiment on the real frameworks. Expectations are written from the frameworks'
 * documented behaviour, not from ftprobe's output:
 * - torch: requires_grad_(False) means backward() leaves .grad None (docs: "Autograd mechanics",
 *   "Locally disabling gradient computation"); an optimizer only updates the params it was given
 *   (docs: torch.optim); BatchNorm updates running stats in training mode only (docs: BatchNorm1d).
 * - tfjs: a non-trainable weight is not among model.trainableWeights, so variableGrads over them
 *   computes no gradient for it; BatchNormalization updates moving stats when called with
 *   training: true (tfjs-layers API docs, BatchNormalization).
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { runSurvey, type Row, type SurveyResult } from '../src/run/survey.js';
import { describeEachBackend } from './helpers.js';

const byId = (r: SurveyResult, id: string): Row => r.runs[0]!.rows.find((row) => row.id === id)!;
const id = (freeze: boolean, notOptimize: boolean, evalMode: boolean) => `freeze=${freeze},notOptimize=${notOptimize},evalMode=${evalMode}`;
const featureParams = (row: Row) => row.tensors.filter((t) => t.name.startsWith('feature.') && t.kind === 'param');
const bnStats = (row: Row) => row.tensors.filter((t) => t.role === 'bn-mean' || t.role === 'bn-var');

describeEachBackend('seed survey', (backend, name) => {
  let result: SurveyResult;
  before(async () => {
    result = await runSurvey('seed', { backends: [backend()] });
  });

  it('runs all 8 combinations to completion', () => {
    const rows = result.runs[0]!.rows;
    assert.equal(rows.length, 8);
    assert.deepEqual(
      rows.map((r) => r.state),
      Array(8).fill('completed'),
    );
    assert.equal(result.runs[0]!.backend.name, name);
  });

  it("reproduces each of the survey's six published rows", () => {
    const published = result.runs[0]!.rows.filter((r) => r.seedRow !== null);
    assert.equal(published.length, 6);
    for (const r of published) assert.deepEqual(r.outcome, r.seedOutcome, `survey row ${r.seedRow}`);
  });

  it('freeze: every feature parameter is bit-identical and got no gradient', () => {
    for (const ev of [false, true]) {
      for (const t of featureParams(byId(result, id(true, false, ev)))) {
        assert.equal(t.status, 'unchanged', t.name);
        assert.equal(t.grad, 'none', t.name);
        assert.equal(t.gradBytes, 0, t.name);
      }
    }
  });

  it('not_optimize alone: feature parameters are bit-identical, yet gradients were computed for them', () => {
    const row = byId(result, id(false, true, true));
    for (const t of featureParams(row)) {
      assert.equal(t.status, 'unchanged', t.name);
      assert.equal(t.grad, 'nonzero', t.name);
      assert.ok(t.gradBytes > 0, t.name);
    }
  });

  it('train mode moves the BN statistics whatever the parameter settings; eval mode keeps them bit-identical', () => {
    for (const f of [false, true]) {
      for (const n of [false, true]) {
        for (const t of bnStats(byId(result, id(f, n, false)))) assert.equal(t.status, 'changed', `${t.name} f=${f} n=${n}`);
        for (const t of bnStats(byId(result, id(f, n, true)))) assert.equal(t.status, 'unchanged', `${t.name} f=${f} n=${n}`);
      }
    }
  });

  it('BN statistics are reported as buffers, never as parameters, and have no gradient', () => {
    const stats = bnStats(byId(result, id(false, false, false)));
    assert.equal(stats.length, 2);
    for (const t of stats) assert.deepEqual([t.kind, t.grad], ['buffer', 'none']);
  });

  it('the classifier changes in every row: it is always trained', () => {
    for (const r of result.runs[0]!.rows) for (const t of r.tensors.filter((t) => t.name.startsWith('classifier.'))) assert.equal(t.status, 'changed', `${r.id} ${t.name}`);
  });

  it('records the framework code each row ran', () => {
    const code = byId(result, id(true, true, true)).code.join('\n');
    if (name === 'torch') {
      assert.match(code, /model\.feature\.requires_grad_\(False\)/);
      assert.match(code, /torch\.optim\.SGD\(model\.classifier\.parameters\(\), lr=0\.001\)/);
      assert.match(code, /model\.train\(\)\nmodel\.feature\.eval\(\)/);
    } else {
      assert.match(code, /feature\.trainable = false;/);
      assert.match(code, /feature\.apply\(x, \{ training: false \}\)/);
    }
  });
});

describeEachBackend('seeding', (backend) => {
  it('the same seed gives bit-identical measurements; another seed gives different ones', async () => {
    const tensors = async (seed: number) => {
      const r = await runSurvey('seed', { backends: [backend()], seed });
      return JSON.stringify(r.runs[0]!.rows.map((row) => row.tensors));
    };
    const a = await tensors(7);
    assert.equal(await tensors(7), a);
    assert.notEqual(await tensors(8), a);
  });
});
