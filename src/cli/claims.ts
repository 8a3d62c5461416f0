import { parseBackendChoice } from '../backends/registry.js';
import { runClaims } from '../claims/run.js';
import { CLAIMS } from '../claims/registry.js';
import { FtprobeError, unknownName } from '../errors.js';
import { renderClaims, type Format } from '../report/index.js';
import { openOutput } from '../report/writer.js';
import { progress } from './progress.js';

export interface ClaimsCliOptions {
  backend: string;
  format: Format;
  out?: string;
  detail?: boolean;
  strict?: boolean;
  expect?: string;
}

/** Returns 1 under --strict when an --expect-ed claim fails on a backend it applies to, else 0. */
export async function claimsCommand(opts: ClaimsCliOptions): Promise<number> {
  const backend = parseBackendChoice(opts.backend);
  const known = CLAIMS.map((c) => c.id);
  const expected = opts.expect ? opts.expect.split(',').map((s) => s.trim()).filter(Boolean) : [];
  for (const id of expected) if (!known.includes(id)) throw unknownName('usage', 'claim', id, known);
  if (opts.strict && !expected.length) throw new FtprobeError('usage', '--strict needs --expect with the claims you expect to hold, e.g. --expect freeze-keeps-params,eval-fixes-bn.');
  const out = openOutput(opts.out);
  const bar = progress();
  const report = await runClaims({ backend, onTrialStart: (e) => bar.update(`[${e.survey} · ${e.backend} ${e.index + 1}/${e.total}] ${e.trial.id}`) });
  bar.done();
  out.write(renderClaims(report, opts.format, { detail: opts.detail }));
  if (out.path) process.stderr.write(`wrote ${out.path}\n`);
  if (!opts.strict) return 0;
  const failed = report.claims.filter((c) => expected.includes(c.id)).flatMap((c) => c.verdicts.filter((v) => v.verdict === 'fails').map((v) => `${c.id} on ${v.frameworkVersion}`));
  for (const f of failed) process.stderr.write(`ftprobe: expected claim does not hold: ${f}\n`);
  return failed.length ? 1 : 0;
}
