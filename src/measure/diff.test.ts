import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTensor, FLOAT32_EPS, gradSummary, NOISE_REL_THRESHOLD } from './diff.js';

const f32 = (xs: number[]) => ({ dtype: 'float32' as const, data: new Uint8Array(new Float32Array(xs).buffer) });
const i64 = (xs: bigint[]) => ({ dtype: 'int64' as const, data: new Uint8Array(new BigInt64Array(xs).buffer) });

describe('diffTensor', () => {
  it('calls bit-identical tensors unchanged with zero deltas', () => {
    const d = diffTensor(f32([1, -2, 3]), f32([1, -2, 3]));
    assert.deepEqual(d, { status: 'unchanged', maxAbsDelta: 0, relDelta: 0, changedElements: 0, numel: 3 });
  });

  it('tells -0 from +0: bytes differ, so not unchanged, but the move is noise', () => {
    const d = diffTensor(f32([0, 1]), f32([-0, 1]));
    assert.equal(d.status, 'noise');
    assert.equal(d.changedElements, 1);
  });

  it('calls a one-ulp move noise and reports its size relative to the tensor scale', () => {
    const one = 1;
    const next = new Float32Array([1 + FLOAT32_EPS])[0]!;
    const d = diffTensor(f32([one, 0.5]), f32([next, 0.5]));
    assert.equal(d.status, 'noise');
    assert.equal(d.maxAbsDelta, FLOAT32_EPS);
    assert.ok(d.relDelta <= NOISE_REL_THRESHOLD);
  });

  it('calls a move just above the threshold changed', () => {
    const d = diffTensor(f32([1, 1]), f32([1, 1 + 8 * FLOAT32_EPS]));
    assert.equal(d.status, 'changed');
    assert.equal(d.changedElements, 1);
  });

  it('measures relDelta against the larger of before and after, so a zero-initialised buffer has a finite ratio', () => {
    const d = diffTensor(f32([0, 0]), f32([0.25, 0]));
    assert.equal(d.status, 'changed');
    assert.equal(d.relDelta, 1);
  });

  it('treats any difference of an integer tensor as a change', () => {
    assert.equal(diffTensor(i64([0n]), i64([1n])).status, 'changed');
    assert.equal(diffTensor(i64([5n]), i64([5n])).status, 'unchanged');
  });

  it('calls a NaN appearing a change with infinite relDelta', () => {
    const d = diffTensor(f32([1, 2]), f32([NaN, 2]));
    assert.equal(d.status, 'changed');
    assert.equal(d.relDelta, Infinity);
  });

  it('reads tensors from unaligned byte offsets (base64-decoded buffers)', () => {
    const raw = new Uint8Array(13);
    raw.set(new Uint8Array(new Float32Array([3, 4, 5]).buffer), 1);
    const before = { dtype: 'float32' as const, data: raw.subarray(1) };
    assert.equal(diffTensor(before, f32([3, 4, 6])).maxAbsDelta, 1);
  });
});

describe('gradSummary', () => {
  it('reports none, zero and nonzero with the gradient bytes', () => {
    assert.equal(gradSummary({ name: 'w', requiresGrad: false, grad: null }).grad, 'none');
    const zero = gradSummary({ name: 'w', requiresGrad: true, grad: { shape: [2], ...f32([0, 0]) } });
    assert.deepEqual([zero.grad, zero.gradBytes], ['zero', 8]);
    const nz = gradSummary({ name: 'w', requiresGrad: true, grad: { shape: [2], ...f32([0, -3]) } });
    assert.deepEqual([nz.grad, nz.gradMaxAbs, nz.gradPrecision], ['nonzero', 3, null]);
  });

  it('calls a float32 gradient roundoff when its float64 replay is far smaller, real when they agree', () => {
    const f64 = (xs: number[]) => ({ shape: [xs.length], dtype: 'float64' as const, data: new Uint8Array(new Float64Array(xs).buffer) });
    const residue = gradSummary({ name: 'w', requiresGrad: true, grad: { shape: [2], ...f32([2e-4, -1e-4]) }, reference64: f64([1e-13, 2e-13]) });
    assert.equal(residue.gradPrecision, 'roundoff');
    const real = gradSummary({ name: 'w', requiresGrad: true, grad: { shape: [2], ...f32([3.0000001, -1]) }, reference64: f64([3, -1]) });
    assert.equal(real.gradPrecision, 'real');
    assert.equal(real.gradMaxAbs64, 3);
  });
});
