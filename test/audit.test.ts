/**
 * `ftprobe audit` on models built at test time: a torchvision resnet18 scripted to TorchScript, a
 * user's module:factory, and a TF.js model.json. Expectations follow the frameworks' documented
 * behaviour: AdamW applies decay and moments to every parameter it holds whose grad is not None
 * (torch.optim.AdamW); zero_grad(set_to_none=True) leaves frozen params' grad None (Optimizer.zero_grad);
 * BatchNorm updates running stats in train mode whatever requires_grad says; TF.js BatchNormalization
 * follows only the training flag.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { writeSmallLayersModel } from '../src/backends/tfjs/fixtures.js';
import { createTfjsBackend } from '../src/backends/tfjs/index.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { skipReason } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'ftprobe.js');
const dir = mkdtempSync(join(tmpdir(), 'ftprobe-audit-'));
const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures');

function ftprobe(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function recipe(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function json(r: ReturnType<typeof ftprobe>) {
  return JSON.parse(r.stdout) as { warnings: { code: string; tensors: string[] }[]; expectations: { rule: string; ok: boolean; violations: { tensor: string }[] }[]; wastedGradBytesPerStep: number };
}

const RESNET_BACKBONE = `
  - { op: freeze, target: "conv1.*" }
  - { op: freeze, target: "bn1.*" }
  - { op: freeze, target: "layer*" }`;

describe('audit a TorchScript resnet18', { skip: skipReason('torch') }, () => {
  const model = join(dir, 'resnet18.pt');
  before(() => {
    const py = spawnSync('/usr/bin/python3', ['-c', `import torch, torchvision; torch.jit.script(torchvision.models.resnet18(weights=None)).save(${JSON.stringify(model)})`], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
  });

  it('a correct recipe (frozen backbone in eval mode, optimizer on fc only) passes its expectations', () => {
    const file = recipe('good.yaml', `input: { shape: [3, 16, 16] }\nbatch: 2\nsteps: 2\nsetup:${RESNET_BACKBONE}
  - { op: optimizer, kind: adamw, lr: 0.001, weightDecay: 0.01, params: ["fc.*"] }
  - { op: train, target: model }
  - { op: eval, target: "layer*" }
  - { op: eval, target: bn1 }
`);
    const r = ftprobe(['audit', model, '--recipe', file, '--format', 'json', '--expect', 'unchanged:layer*', '--expect', 'bn-fixed:layer*', '--expect', 'changed:fc.*', '--expect', 'no-wasted-grads']);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(0, 2000));
    const j = json(r);
    assert.deepEqual(j.warnings, []);
    assert.ok(j.expectations.every((e) => e.ok));
  });

  it('frozen backbone under AdamW with zeroed gradients: caught, and the rule names the moved tensors', () => {
    const file = recipe('adamw.yaml', `input: { shape: [3, 16, 16] }\nbatch: 2\nsteps: 3\nsetup:
  - { op: optimizer, kind: adamw, lr: 0.001, weightDecay: 0.01, params: [model] }
  - { op: train, target: model }
at:
  2:${RESNET_BACKBONE.replace(/\n/g, '\n  ')}
`);
    const r = ftprobe(['audit', model, '--recipe', file, '--format', 'json', '--expect', 'unchanged:layer4.*']);
    assert.equal(r.code, 1);
    const j = json(r);
    assert.ok(j.warnings.some((w) => w.code === 'frozen-in-stateful-optimizer' && w.tensors.includes('layer4.1.conv2.weight')));
    assert.ok(j.warnings.some((w) => w.code === 'bn-drift-under-frozen'));
    assert.ok(j.expectations[0]!.violations.some((v) => v.tensor === 'layer4.1.conv2.weight'));
  });
});

describe('audit a module:factory model', { skip: skipReason('torch') }, () => {
  it('catches train() undoing eval() and gradients no optimizer uses', () => {
    const file = recipe('tiny.yaml', `input: { shape: [8] }\nbatch: 8\nsteps: 2\nsetup:
  - { op: optimizer, kind: sgd, lr: 0.1, params: [head] }
  - { op: eval, target: backbone }
  - { op: train, target: model }
`);
    const r = ftprobe(['audit', 'tiny_models:make', '--recipe', file, '--format', 'json', '--expect', 'no-wasted-grads'], FIXTURES);
    assert.equal(r.code, 1, r.stderr);
    const j = json(r);
    assert.deepEqual(j.warnings.map((w) => w.code).sort(), ['train-undid-eval', 'wasted-grads']);
    assert.equal(j.wastedGradBytesPerStep, (8 * 16 + 16 + 16 + 16 + 16 * 16 + 16) * 4);
  });

  it('with set_to_none=True, frozen parameters in a momentum optimizer stay put and only the warning remains', () => {
    const file = recipe('late.yaml', `input: { shape: [8] }\nbatch: 8\nsteps: 3\nzeroGrad: none\nsetup:
  - { op: optimizer, kind: sgd, lr: 0.1, momentum: 0.9, params: [model] }
  - { op: train, target: model }
at:
  2:
    - { op: freeze, target: "backbone.*" }
    - { op: eval, target: backbone }
`);
    const r = ftprobe(['audit', 'tiny_models:make', '--recipe', file, '--format', 'json', '--expect', 'changed:head.*'], FIXTURES);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.deepEqual(j.warnings.map((w) => w.code), ['frozen-in-stateful-optimizer']);
  });
});

describe('audit a TF.js model.json', () => {
  const model = join(dir, 'small', 'model.json');
  before(async () => {
    await createTfjsBackend();
    await writeSmallLayersModel(model);
  });

  it('a frozen backbone called with training: false passes; in training mode its BN drifts and is caught', () => {
    const good = recipe('tfjs-good.yaml', 'batch: 8\nsteps: 2\nsetup:\n  - { op: freeze, target: "backbone_*" }\n  - { op: optimizer, kind: sgd, lr: 0.1, params: [head] }\n  - { op: eval, target: model }\n');
    const ok = ftprobe(['audit', model, '--recipe', good, '--expect', 'unchanged:backbone_*', '--expect', 'bn-fixed:backbone_bn.*', '--expect', 'changed:head.*']);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const bad = recipe('tfjs-bad.yaml', 'batch: 8\nsteps: 2\nsetup:\n  - { op: freeze, target: "backbone_*" }\n  - { op: optimizer, kind: sgd, lr: 0.1, params: [head] }\n  - { op: train, target: model }\n');
    const r = ftprobe(['audit', model, '--recipe', bad, '--format', 'json', '--expect', 'bn-fixed:backbone_bn.*']);
    assert.equal(r.code, 1);
    const j = json(r);
    assert.deepEqual(j.warnings.map((w) => w.code), ['bn-drift-under-frozen']);
    assert.deepEqual(j.expectations[0]!.violations.map((v) => v.tensor), ['backbone_bn.moving_mean', 'backbone_bn.moving_variance']);
  });
});

describe('audit bad input: one line, exit 2', () => {
  const model = join(dir, 'small2', 'model.json');
  const good = () => recipe('ok.yaml', 'batch: 4\nsteps: 1\nsetup:\n  - { op: optimizer, kind: sgd, lr: 0.1, params: [model] }\n');
  before(async () => {
    await createTfjsBackend();
    await writeSmallLayersModel(model);
  });
  const cases: [string, () => string[], RegExp][] = [
    ['a malformed rule', () => ['audit', model, '--recipe', good(), '--expect', 'frozen-ish:x'], /Malformed --expect rule "frozen-ish:x"/],
    ['a rule glob that matches nothing', () => ['audit', model, '--recipe', good(), '--expect', 'unchanged:nope.*'], /the glob "nope\.\*" matches no tensor/],
    ['a recipe glob that matches nothing', () => ['audit', model, '--recipe', recipe('g.yaml', 'batch: 4\nsetup:\n  - { op: freeze, target: "nope*" }\n'), ], /matches no layer or weight/],
    ['a model file that does not exist', () => ['audit', join(dir, 'missing.pt'), '--recipe', good()], /Cannot read model .*missing\.pt: no such file/],
    ['a model.json that is not one', () => ['audit', recipe('bad.json', '{"x": 1}'), '--recipe', good()], /cannot load TF\.js model .*not a TF\.js LayersModel/],
    ['a missing --recipe', () => ['audit', model], /audit needs --recipe FILE/],
    ['a recipe field of the wrong type', () => ['audit', model, '--recipe', recipe('t.yaml', 'batch: many\nsetup:\n  - { op: train, target: model }\n')], /t\.yaml:1: batch: /],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const r = ftprobe(args());
      assert.equal(r.code, 2, r.stderr + r.stdout);
      const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('auditing '));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    });
  }

  it('a file that is not TorchScript', { skip: skipReason('torch') }, () => {
    const r = ftprobe(['audit', recipe('garbage.pt', 'not a model'), '--recipe', recipe('r.yaml', 'input: { shape: [8] }\nsetup:\n  - { op: train, target: model }\n')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot load TorchScript .*garbage\.pt/);
  });
});
