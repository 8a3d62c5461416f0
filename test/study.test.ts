/**
 * The bn-frozen study: each policy does what it says (measured BN mode and statistics during
 * fine-tuning), the results store survives kill -9 and --resume recomputes nothing, and the CLI's
 * quick study reports every policy with mean, CI and n.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIGITS_DIR } from '../src/study/run.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { describeEachBackend } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'ftprobe.js');
const base = { task: 'synthetic', shift: 'strong', batch: 16, seed: 0, steps: 5, pretrainSteps: 50, digitsDir: DIGITS_DIR };

// What each policy must do during fine-tuning, from its definition (README "bn-frozen study").
const EXPECTED: Record<string, { training: boolean[]; statsMoved: boolean; affineMoved: boolean }> = {
  frozen: { training: [false], statsMoved: false, affineMoved: false },
  train: { training: [true], statsMoved: true, affineMoved: false },
  'batch-stats': { training: [true], statsMoved: false, affineMoved: false },
  adabn: { training: [false], statsMoved: false, affineMoved: false },
  'train-affine': { training: [true], statsMoved: true, affineMoved: true },
};

describeEachBackend('bn-frozen policies, measured during fine-tuning', (backend, name) => {
  for (const [policy, want] of Object.entries(EXPECTED)) {
    it(`${policy}: BN mode ${want.training}, statistics ${want.statsMoved ? 'move' : 'fixed'}, affine ${want.affineMoved ? 'moves' : 'fixed'}`, async () => {
      const r = await backend().studyRun({ ...base, policy });
      if (name === 'tfjs' && (policy === 'batch-stats' || policy === 'adabn')) {
        assert.ok(!r.ok && r.unsupported, 'TF.js cannot express it, and says so');
        return;
      }
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(r.result.bnTrainingDuringFineTune, want.training);
      assert.equal(r.result.bnStatsChangedDuringFineTune, want.statsMoved);
      assert.equal(r.result.bnAffineChanged, want.affineMoved);
      assert.ok(r.result.accEval >= 0 && r.result.accEval <= 1);
    });
  }
});

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('bn-frozen results store', () => {
  it('a study killed with SIGKILL loses no finished run, and --resume recomputes none of them', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftprobe-study-'));
    const store = join(out, 'results.jsonl');
    const args = [BIN, 'study', 'bn-frozen', '--quick', '--seeds', '1', '--backend', 'tfjs', '--out', out, '--format', 'json'];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (lines(store).length >= 3) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        reject(new Error('the study finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    const before = lines(store);
    const finished = before.filter((l) => {
      try {
        JSON.parse(l);
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(finished.length >= 3);
    const again = spawnSync(process.execPath, [...args.slice(0, -2), '--resume', '--format', 'json'], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    const summary = JSON.parse(again.stdout) as { reused: number; computed: number; results: unknown[] };
    assert.equal(summary.reused, finished.length, 'every finished run is read back');
    assert.equal(summary.reused + summary.computed, 12, 'and the rest are computed: 12 expressible runs for tfjs');
    const after = lines(store);
    for (const l of finished) assert.ok(after.includes(l), 'finished lines are kept verbatim');
    const keys = after.flatMap((l) => {
      try {
        return [(JSON.parse(l) as { key: string }).key];
      } catch {
        return [];
      }
    });
    assert.equal(new Set(keys).size, keys.length, 'no run is stored twice');
    const third = spawnSync(process.execPath, [...args.slice(0, -2), '--resume', '--format', 'json'], { encoding: 'utf8' });
    assert.equal((JSON.parse(third.stdout) as { computed: number }).computed, 0, 'a finished study recomputes nothing');
  });

  it('an --out whose parent does not exist is one line, exit 2, and never hangs', () => {
    for (const out of ['/nonexistent-ftprobe/a/b', '/proc/ftprobe-nope']) {
      const r = spawnSync(process.execPath, [BIN, 'study', 'bn-frozen', '--quick', '--backend', 'tfjs', '--out', out], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 2, `${out}: ${r.stderr}`);
      assert.match(r.stderr.trim(), /^ftprobe: Cannot create --out .*: ENOENT\. Its parent folder must exist and be writable\.$/);
    }
  });

  it('refuses to mix a new study into an existing store without --resume', () => {
    const out = mkdtempSync(join(tmpdir(), 'ftprobe-study-'));
    const args = [BIN, 'study', 'bn-frozen', '--quick', '--seeds', '1', '--backend', 'tfjs', '--out', out, '--format', 'json'];
    assert.equal(spawnSync(process.execPath, args).status, 0);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /already holds results\. Add --resume/);
  });
});

describe('ftprobe study bn-frozen --quick --format json', () => {
  it('reports every policy with mean, CI and n, and writes the HTML report and charts', () => {
    const out = mkdtempSync(join(tmpdir(), 'ftprobe-study-'));
    const r = spawnSync(process.execPath, [BIN, 'study', 'bn-frozen', '--quick', '--out', out, '--format', 'json'], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { results: { backend: string; policy: string; accEval: { mean: number; ci95: number | null; n: number } }[]; recommendation: string[] };
    const torch = j.results.filter((x) => x.backend === 'torch');
    const policies = new Set((torch.length ? torch : j.results).map((x) => x.policy));
    for (const p of torch.length ? Object.keys(EXPECTED) : ['frozen', 'train', 'train-affine']) assert.ok(policies.has(p), p);
    for (const a of j.results) {
      assert.equal(a.accEval.n, 2);
      assert.ok(typeof a.accEval.mean === 'number' && a.accEval.ci95 !== null);
    }
    assert.ok(j.recommendation.length > 0);
    for (const f of ['report.html', 'results.jsonl', 'summary.json']) assert.ok(existsSync(join(out, f)), f);
    const png = readFileSync(join(out, `accuracy-${j.results[0]!.backend}.png`));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<svg/);
  });
});
