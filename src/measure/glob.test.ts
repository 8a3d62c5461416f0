import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchGlob } from './glob.js';

describe('matchGlob (Python fnmatch semantics)', () => {
  it('lets * cross dots, as fnmatch does on parameter names', () => {
    assert.ok(matchGlob('backbone.*', 'backbone.layer1.0.conv1.weight'));
    assert.ok(!matchGlob('backbone.*', 'head.weight'));
  });
  it('supports ? and [sets], and escapes regex characters', () => {
    assert.ok(matchGlob('layer?.0.*', 'layer1.0.bn1.bias'));
    assert.ok(matchGlob('layer[12].*', 'layer2.x'));
    assert.ok(!matchGlob('layer[!12].*', 'layer2.x'));
    assert.ok(!matchGlob('a+b', 'aab'));
    assert.ok(matchGlob('a+b', 'a+b'));
  });
});
