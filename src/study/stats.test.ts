import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanCi } from './stats.js';

describe('meanCi', () => {
  it('computes mean, sample sd and the t-based 95% half-width', () => {
    // values 1..5: mean 3, sample sd sqrt(2.5), t(0.975, 4) = 2.776
    const r = meanCi([1, 2, 3, 4, 5]);
    assert.equal(r.mean, 3);
    assert.equal(r.n, 5);
    assert.ok(Math.abs(r.sd! - Math.sqrt(2.5)) < 1e-12);
    assert.ok(Math.abs(r.ci95! - (2.776 * Math.sqrt(2.5)) / Math.sqrt(5)) < 1e-12);
  });
  it('has no interval for one value, and a zero one for identical values', () => {
    assert.equal(meanCi([0.7]).ci95, null);
    assert.equal(meanCi([0.5, 0.5, 0.5]).ci95, 0);
  });
  it('uses 12.706 for two values', () => {
    const r = meanCi([0, 1]);
    assert.ok(Math.abs(r.ci95! - (12.706 * Math.SQRT1_2) / Math.SQRT2) < 1e-12);
  });
});
