import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FtprobeError } from '../errors.js';
import { expandSurvey } from './expand.js';
import { builtinSurveyNames, loadSurvey, parseSurveyText } from './load.js';

const valid = `name: mini
model: { builtin: seed-mlp }
data: { batch: 8 }
factors:
  - { name: freeze, values: [false, true] }
recipe:
  - { op: freeze, target: feature, when: { freeze: true } }
  - { op: optimizer, kind: sgd, lr: 0.01, params: [model] }
  - { op: step }
outcomes:
  moved: { under: feature, kind: param }
`;

function specError(text: string): string {
  try {
    parseSurveyText(text, 'my.yaml');
  } catch (err) {
    assert.ok(err instanceof FtprobeError);
    return err.message;
  }
  assert.fail('expected a spec error');
}

describe('survey files', () => {
  it('parses a valid file and fills defaults', () => {
    const s = parseSurveyText(valid, 'my.yaml');
    assert.equal(s.seed, 0);
    assert.deepEqual(s.recipe[2], { op: 'step', loss: 'sum', zeroGrad: 'zeros', times: 1 });
  });

  it('names file, line and field of a wrong value', () => {
    assert.equal(specError(valid.replace('lr: 0.01', 'lr: "fast"')), 'my.yaml:8: recipe[1].lr: Invalid input: expected number, received string');
  });

  it('names an unknown field', () => {
    assert.match(specError(valid.replace('op: step', 'op: step, lossy: 1')), /^my\.yaml:9: recipe\[2\]: unknown field "lossy"$/);
  });

  it('names an unknown action', () => {
    assert.match(specError(valid.replace('op: step', 'op: jump')), /^my\.yaml:9: recipe\[2\]\.op: /);
  });

  it('points a missing field at its parent', () => {
    assert.match(specError(valid.replace('data: { batch: 8 }\n', '')), /^my\.yaml:1: data: /);
  });

  it('reports YAML syntax errors with their line', () => {
    assert.match(specError(valid.replace('factors:', 'factors: [')), /^my\.yaml:\d+: /);
  });

  it('reads JSON through the same path', () => {
    const s = parseSurveyText(JSON.stringify({ ...parseSurveyText(valid, 'x'), name: 'json-one' }), 'my.json');
    assert.equal(s.name, 'json-one');
  });

  it('lists the known surveys when a name is unknown', () => {
    assert.throws(() => loadSurvey('sed'), { message: `Unknown survey "sed". Known: ${builtinSurveyNames().join(', ')}, <file.yaml>.` });
  });
});

describe('expandSurvey', () => {
  it('expands seed into all 8 combinations, first factor slowest, applying `when`', () => {
    const trials = expandSurvey(loadSurvey('seed'));
    assert.equal(trials.length, 8);
    assert.equal(trials[0]!.id, 'freeze=false,notOptimize=false,evalMode=false');
    assert.equal(trials[7]!.id, 'freeze=true,notOptimize=true,evalMode=true');
    const ops = (i: number) => trials[i]!.actions.map((a) => a.op + ('target' in a ? `:${a.target}` : '') + ('params' in a ? `:${a.params.join('+')}` : ''));
    assert.deepEqual(ops(0), ['optimizer:model', 'train:model', 'step']);
    assert.deepEqual(ops(7), ['freeze:feature', 'optimizer:classifier', 'train:model', 'eval:feature', 'step']);
  });

  it('keeps the survey reference apart from trials: no trial carries expected outcomes', () => {
    for (const t of expandSurvey(loadSurvey('seed'))) assert.deepEqual(Object.keys(t).sort(), ['actions', 'data', 'id', 'model', 'seed', 'settings']);
  });
});
