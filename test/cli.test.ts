/** The CLI as a user runs it: exit codes, one-line errors, output contracts. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../src/paths.js';
import { skipReason } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'ftprobe.js');

function ftprobe(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user-facing error: exit 2, exactly one line on stderr, no stack trace. */
function assertOneLineError(r: ReturnType<typeof ftprobe>, pattern: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('ftprobe CLI errors', () => {
  it('an unknown survey lists the known ones', () => {
    assertOneLineError(ftprobe(['survey', 'sed']), /^ftprobe: Unknown survey "sed"\. Known: .*seed.*<file\.yaml>\.$/);
  });

  it('an unknown backend lists the valid choices', () => {
    assertOneLineError(ftprobe(['survey', 'seed', '--backend', 'jax']), /^ftprobe: Unknown backend "jax"\. Known: auto, all, torch, tfjs\.$/);
  });

  it('an unknown format lists the valid choices', () => {
    assertOneLineError(ftprobe(['survey', 'seed', '--format', 'xml']), /Allowed choices are table, markdown, json\.$/);
  });

  it('an unknown command is one line', () => {
    assertOneLineError(ftprobe(['surve']), /unknown command 'surve'/);
  });

  it('a bad --out path fails before any trial runs', () => {
    const r = ftprobe(['survey', 'seed', '--backend', 'tfjs', '--out', '/nonexistent-dir/x.json']);
    assertOneLineError(r, /^ftprobe: Cannot write --out \/nonexistent-dir\/x\.json: ENOENT\./);
  });

  it('a survey file with a bad field names the file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftprobe-'));
    const file = join(dir, 'bad.yaml');
    const text = readFileSync(join(PACKAGE_ROOT, 'surveys', 'seed.yaml'), 'utf8').replace('data: { batch: 128 }', 'data: { batch: -1 }');
    spawnSync('sh', ['-c', `cat > ${file}`], { input: text });
    assertOneLineError(ftprobe(['survey', file, '--backend', 'tfjs']), /bad\.yaml:\d+: data\.batch: /);
  });

  it('a missing torch (FTPROBE_PYTHON=/nonexistent) names the fix', () => {
    assertOneLineError(
      ftprobe(['survey', 'seed', '--backend', 'torch'], { FTPROBE_PYTHON: '/nonexistent' }),
      /^ftprobe: PyTorch backend unavailable: \/nonexistent not found\. Install it with "apt-get install python3-torch" or set FTPROBE_PYTHON/,
    );
  });

  it('a python without torch is reported as such', () => {
    // node is no python: the worker cannot start, and the reason says which executable failed.
    const r = ftprobe(['survey', 'seed', '--backend', 'torch'], { FTPROBE_PYTHON: process.execPath });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PyTorch backend unavailable: .*apt-get install python3-torch/);
  });
});

describe('ftprobe CLI help', () => {
  for (const args of [['--help'], ['survey', '--help'], ['claims', '--help'], ['audit', '--help'], ['study', '--help'], ['bench', '--help'], ['bench', 'overhead', '--help'], ['backends', '--help']]) {
    it(`${args.join(' ')} prints usage and exits 0`, () => {
      const r = ftprobe(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: ftprobe/);
    });
  }
});

describe('ftprobe survey on tfjs, JSON contract', () => {
  it('prints 8 rows in the documented shape', () => {
    const r = ftprobe(['survey', 'seed', '--backend', 'tfjs', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.tool.name, 'ftprobe');
    assert.equal(j.survey.name, 'seed');
    assert.equal(j.runs.length, 1);
    assert.deepEqual(Object.keys(j.runs[0].backend).sort(), ['detail', 'device', 'framework', 'name', 'version']);
    const rows = j.runs[0].rows;
    assert.equal(rows.length, 8);
    for (const row of rows) {
      for (const k of ['id', 'seedRow', 'settings', 'outcome', 'seedOutcome', 'matchesSeed', 'code', 'tensors']) assert.ok(k in row, k);
      assert.deepEqual(Object.keys(row.settings), ['freeze', 'notOptimize', 'evalMode']);
      assert.deepEqual(Object.keys(row.outcome), ['paramsChanged', 'bnChanged']);
      for (const t of row.tensors) for (const k of ['name', 'kind', 'status', 'maxAbsDelta', 'relDelta', 'grad', 'gradBytes']) assert.ok(k in t, k);
    }
    assert.equal(rows.filter((x: { seedRow: number | null }) => x.seedRow !== null).length, 6);
  });

  it('markdown has the survey layout and --out writes the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftprobe-'));
    const out = join(dir, 'seed.md');
    const r = ftprobe(['survey', 'seed', '--backend', 'tfjs', '--format', 'markdown', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(out, 'utf8');
    assert.match(md, /\| # \| freeze \| not_optimize \| eval_mode \| params_changed \| bn_changed \| matches survey \|/);
    assert.equal(md.split('\n').filter((l) => /^\| [1-6-] \|/.test(l)).length, 8);
  });
});

describe('ftprobe survey --backend all', { skip: skipReason('torch') }, () => {
  it('puts torch and tfjs side by side', () => {
    const r = ftprobe(['survey', 'seed', '--backend', 'all', '--format', 'markdown']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /params_changed \(torch\) \| bn_changed \(torch\) \| matches survey \(torch\) \| params_changed \(tfjs\)/);
  });

  it('--detail shows the per-tensor evidence', () => {
    const r = ftprobe(['survey', 'seed', '--backend', 'torch', '--detail']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /feature\.bn\.running_mean\s+│ buffer │ changed/);
    assert.match(r.stdout, /model\.feature\.requires_grad_\(False\)/);
  });
});

describe('ftprobe without torch', () => {
  it('npx ftprobe survey runs on tfjs and says in one line how to enable torch', () => {
    const r = ftprobe(['survey'], { FTPROBE_PYTHON: '/nonexistent' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /TensorFlow\.js 4\.22\.0/);
    assert.doesNotMatch(r.stdout, /PyTorch 1/);
    const notes = r.stdout.split('\n').filter((l) => l.includes('torch backend unavailable'));
    assert.deepEqual(notes, ['note: torch backend unavailable: /nonexistent not found. Install it with "apt-get install python3-torch" or set FTPROBE_PYTHON to a python that has torch.']);
  });
});

describe('ftprobe survey keras', () => {
  it('prints its table and the T1-T4 verdicts', () => {
    const r = ftprobe(['survey', 'keras', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.runs.map((x: { backend: { name: string } }) => x.backend.name), ['tfjs']);
    assert.deepEqual(
      j.claims.map((c: { id: string }) => c.id),
      ['tf-trainable-freezes-bn', 'tf-training-flag-decides-mode', 'tf-only-trainable-reach-optimizer', 'tf-bn-stats-non-trainable'],
    );
    for (const c of j.claims) assert.ok(['holds', 'fails'].includes(c.verdicts[0].verdict));
  });
});

describe('ftprobe claims', () => {
  it('prints the JSON shape of the claims contract', () => {
    const r = ftprobe(['claims', '--backend', 'tfjs', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.tool.name, 'ftprobe');
    for (const c of j.claims) {
      assert.deepEqual(Object.keys(c).sort(), ['id', 'reference', 'source', 'text', 'verdicts']);
      assert.ok(['survey', 'ftprobe'].includes(c.source));
      for (const v of c.verdicts) assert.deepEqual(Object.keys(v).sort(), ['backend', 'evidence', 'frameworkVersion', 'message', 'verdict']);
    }
  });

  it('--strict exits 0 when the expected claims hold and 1 when one fails', () => {
    assert.equal(ftprobe(['claims', '--backend', 'tfjs', '--strict', '--expect', 'freeze-keeps-params,eval-fixes-bn']).code, 0);
    const r = ftprobe(['claims', '--backend', 'tfjs', '--strict', '--expect', 'tf-trainable-freezes-bn']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /expected claim does not hold: tf-trainable-freezes-bn on TensorFlow\.js 4\.22\.0/);
  });

  it('a failing claim without --strict is a finding, not an error', () => {
    assert.equal(ftprobe(['claims', '--backend', 'tfjs', '--format', 'json']).code, 0);
  });

  it('--strict without --expect, and an unknown claim id, are one-line errors', () => {
    assertOneLineError(ftprobe(['claims', '--strict']), /--strict needs --expect/);
    assertOneLineError(ftprobe(['claims', '--expect', 'nope']), /^ftprobe: Unknown claim "nope"\. Known: freeze-keeps-params, /);
  });
});

describe('ftprobe backends', () => {
  it('lists each backend with availability and version', () => {
    const r = ftprobe(['backends', '--format', 'json'], { FTPROBE_PYTHON: '/nonexistent' });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { backends: { name: string; available: boolean; reason: string | null; detail: string | null }[] };
    const torch = j.backends.find((b) => b.name === 'torch')!;
    assert.equal(torch.available, false);
    assert.match(torch.reason!, /apt-get install python3-torch/);
    const tfjs = j.backends.find((b) => b.name === 'tfjs')!;
    assert.equal(tfjs.available, true);
    assert.match(tfjs.detail!, /tensor backend: (wasm|cpu)/);
  });
});
