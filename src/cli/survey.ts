import { parseBackendChoice } from '../backends/registry.js';
import { evaluateClaims } from '../claims/evaluate.js';
import { claimsForSurvey } from '../claims/registry.js';
import { FtprobeError } from '../errors.js';
import { renderSurvey, type Format } from '../report/index.js';
import { openOutput } from '../report/writer.js';
import { FRAMEWORK_ERROR } from '../backends/backend.js';
import { runSurvey, type SurveyResult } from '../run/survey.js';
import { loadSurvey } from '../spec/load.js';
import { progress } from './progress.js';

export interface SurveyCliOptions {
  backend: string;
  format: Format;
  out?: string;
  detail?: boolean;
  seed?: string;
}

/** True when a trial could not be measured (worker died, timeout); a framework that raised is a finding. */
export function failedToMeasure(result: SurveyResult): boolean {
  return result.runs.some((r) => r.rows.some((row) => row.state === 'errored' && row.error?.code !== FRAMEWORK_ERROR));
}

export function parseSeed(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw new FtprobeError('usage', `--seed takes a non-negative integer, got "${s}".`);
  return Number(s);
}

/** Returns the exit code: 0, or 1 when a trial errored. */
export async function surveyCommand(name: string, opts: SurveyCliOptions): Promise<number> {
  // Every input is checked before the first trial: survey, backend, seed, output path.
  const spec = loadSurvey(name);
  const backend = parseBackendChoice(opts.backend);
  const seed = parseSeed(opts.seed);
  const out = openOutput(opts.out);
  const bar = progress();
  const claims = claimsForSurvey(spec.name);
  const result = await runSurvey(spec, {
    backend,
    seed,
    onTrialStart: (e) => bar.update(`[${e.backend} ${e.index + 1}/${e.total}] ${e.trial.id}`),
    onResult: (partial) => {
      if (out.path) out.write(renderSurvey(partial, opts.format, { detail: opts.detail }));
    },
  });
  bar.done();
  const render = { detail: opts.detail, claims: claims.length ? evaluateClaims(claims, [result]) : undefined };
  out.write(renderSurvey(result, opts.format, render));
  if (out.path) {
    // The report (with its notes) went to the file; the notes that need action are repeated here.
    for (const w of result.warnings) process.stderr.write(`note: ${w}\n`);
    process.stderr.write(`wrote ${out.path}\n`);
  }
  return failedToMeasure(result) ? 1 : 0;
}
