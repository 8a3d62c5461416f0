/**
 * Wall time of `ftprobe survey seed --backend torch` against a plain Python script running the same
 * 8 trials in one process (bench/plain_seed.py). Both are whole processes, started cold, alternated,
 * and timed `--reps` times; prints medians and the ratio (goal: <= 1.3).
 *   node dist/bench/harness-vs-python.js [--reps 7] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../src/paths.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' }, python: { type: 'string', default: process.env.FTPROBE_PYTHON ?? '/usr/bin/python3' } } });
const reps = Number(values.reps);

function time(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FTPROBE_PYTHON: values.python } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ftprobe: number[] = [];
const plain: number[] = [];
time(values.python, [join(PACKAGE_ROOT, 'bench', 'plain_seed.py')]); // warm the page cache for both
time(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ftprobe.js'), 'survey', 'seed', '--backend', 'torch', '--format', 'json']);
for (let i = 0; i < reps; i++) {
  ftprobe.push(time(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ftprobe.js'), 'survey', 'seed', '--backend', 'torch', '--format', 'json']));
  plain.push(time(values.python, [join(PACKAGE_ROOT, 'bench', 'plain_seed.py')]));
}
const f = median(ftprobe);
const p = median(plain);
console.log(`ftprobe survey seed --backend torch: median ${f.toFixed(0)} ms (min ${Math.min(...ftprobe).toFixed(0)}, max ${Math.max(...ftprobe).toFixed(0)}) over ${reps} runs`);
console.log(`plain Python, same 8 trials:         median ${p.toFixed(0)} ms (min ${Math.min(...plain).toFixed(0)}, max ${Math.max(...plain).toFixed(0)})`);
console.log(`ratio ftprobe / plain: ${(f / p).toFixed(2)}`);
