/**
 * What the per-tensor evidence shows about the survey's loss on torch. With loss = sum of outputs and
 * BN in training mode, the sum over the batch of BN's normalised output is zero per channel, so the
 * exact gradient reaching every layer before BN (and BN's weight, and output.weight while BN's bias
 * is 0) is zero; what float32 computes there is cancellation residue. ftprobe tells the two apart
 * by replaying the step in float64 on torch itself.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { runSurvey, type Row } from '../src/run/survey.js';
import { describeBackend } from './helpers.js';

describeBackend('torch', 'sum loss with BN in train vs eval mode', (backend) => {
  let train: Row;
  let evalRow: Row;
  before(async () => {
    const r = await runSurvey('seed', { backends: [backend()] });
    train = r.runs[0]!.rows.find((x) => x.seedRow === 6)!;
    evalRow = r.runs[0]!.rows.find((x) => x.seedRow === 1)!;
  });
  const t = (row: Row, name: string) => row.tensors.find((x) => x.name === name)!;

  it('in train mode, the gradients reaching layers before BN are float32 residue of an exact zero', () => {
    for (const n of ['feature.input.weight', 'feature.input.bias', 'feature.fc1.weight', 'feature.fc1.bias', 'feature.bn.weight']) {
      assert.equal(t(train, n).gradPrecision, 'roundoff', n);
      assert.ok(t(train, n).gradMaxAbs64! < 1e-9, `${n} float64 gradient ${t(train, n).gradMaxAbs64}`);
    }
  });

  it('in train mode, BN bias, output bias and the classifier receive real gradients', () => {
    for (const n of ['feature.bn.bias', 'feature.output.bias', 'classifier.weight', 'classifier.bias']) assert.equal(t(train, n).gradPrecision, 'real', n);
  });

  it('in eval mode, every feature layer receives a real gradient and changes', () => {
    for (const x of evalRow.tensors.filter((x) => x.kind === 'param')) {
      assert.equal(x.gradPrecision, 'real', x.name);
      assert.equal(x.status, 'changed', x.name);
    }
  });
});
