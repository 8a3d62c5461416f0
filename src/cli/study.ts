import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { parseBackendChoice } from '../backends/registry.js';
import { FtprobeError, unknownName } from '../errors.js';
import { PACKAGE_VERSION } from '../paths.js';
import { studyCharts } from '../study/charts.js';
import { SIZES, type StudySize } from '../study/grid.js';
import { aggregate, findings, recommendation } from '../study/report.js';
import { renderStudy, renderStudyHtml, type StudyResult } from '../study/render.js';
import { runStudy, type StudyProgress } from '../study/run.js';

export interface StudyCliOptions {
  backend: string;
  quick?: boolean;
  full?: boolean;
  seeds?: string;
  out: string;
  format: 'table' | 'markdown' | 'json';
  resume?: boolean;
}

/** Progress: a bar with ETA on a TTY, plain lines (every 10%) otherwise. */
function progressReporter(): { update(p: StudyProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: 'bn-frozen [{bar}] {value}/{total} runs · ETA {eta_formatted} · {last}', stream: process.stderr, hideCursor: true });
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(p.total, 0, { last: '' });
        started = true;
        const last = p.run ? `${p.run.backend} ${p.run.task} ${p.run.shift} b${p.run.batch} ${p.run.policy}: ${(100 * p.run.accEval).toFixed(1)}%` : (p.unsupported ?? '');
        bar.update(p.done, { last });
      },
      stop: () => bar.stop(),
    };
  }
  let shown = -1;
  return {
    update(p) {
      const decile = Math.floor((10 * p.done) / p.total);
      if (decile !== shown || p.done === p.total) process.stderr.write(`bn-frozen: ${p.done}/${p.total} runs (${p.skipped} reused)\n`);
      shown = decile;
    },
    stop() {},
  };
}

export async function studyCommand(name: string, opts: StudyCliOptions): Promise<number> {
  if (name !== 'bn-frozen') throw unknownName('usage', 'study', name, ['bn-frozen']);
  if (opts.quick && opts.full) throw new FtprobeError('usage', '--quick and --full exclude each other.');
  const base = SIZES[opts.quick ? 'quick' : opts.full ? 'full' : 'default'];
  if (opts.seeds !== undefined && !/^[1-9]\d*$/.test(opts.seeds)) throw new FtprobeError('usage', `--seeds takes a positive integer, got "${opts.seeds}".`);
  const size: StudySize = opts.seeds ? { ...base, seeds: Number(opts.seeds) } : base;
  const backend = parseBackendChoice(opts.backend);
  const progress = progressReporter();
  const outcome = await runStudy({ backend, size, out: opts.out, resume: opts.resume ?? false, onProgress: (p) => progress.update(p) });
  progress.stop();
  const results = aggregate(outcome.runs);
  const fs = findings(results);
  const result: StudyResult = {
    tool: { name: 'ftprobe', version: PACKAGE_VERSION },
    study: 'bn-frozen',
    size,
    results,
    findings: fs,
    recommendation: recommendation(fs, results),
    unsupported: outcome.unsupported,
    errors: outcome.errors,
    computed: outcome.computed,
    reused: outcome.reused,
  };
  const charts = await studyCharts(results);
  for (const c of charts) {
    writeFileSync(join(opts.out, `${c.name}.svg`), c.svg);
    writeFileSync(join(opts.out, `${c.name}.png`), c.png);
  }
  writeFileSync(join(opts.out, 'report.html'), renderStudyHtml(result, charts));
  writeFileSync(join(opts.out, 'summary.json'), renderStudy(result, 'json'));
  process.stdout.write(renderStudy(result, opts.format));
  process.stderr.write(`wrote ${join(opts.out, 'report.html')}, charts (SVG and PNG), summary.json; raw runs in ${join(opts.out, 'results.jsonl')}\n`);
  return outcome.errors.length ? 1 : 0;
}
