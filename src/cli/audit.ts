import { loadRecipe } from '../audit/recipe.js';
import { parseRule } from '../audit/rules.js';
import { runAudit } from '../audit/run.js';
import { FtprobeError } from '../errors.js';
import { renderAudit } from '../report/audit.js';
import { openOutput } from '../report/writer.js';

export interface AuditCliOptions {
  recipe?: string;
  steps?: string;
  expect: string[];
  format: 'table' | 'markdown' | 'json';
  detail?: boolean;
  out?: string;
}

/** Exit 1 when an --expect rule is violated; bad input is an FtprobeError (exit 2). */
export async function auditCommand(model: string, opts: AuditCliOptions): Promise<number> {
  if (!opts.recipe) throw new FtprobeError('usage', 'audit needs --recipe FILE (a YAML recipe; see README "Audit your own recipe").');
  const rules = opts.expect.map(parseRule);
  const recipe = loadRecipe(opts.recipe);
  if (opts.steps !== undefined && !/^[1-9]\d*$/.test(opts.steps)) throw new FtprobeError('usage', `--steps takes a positive integer, got "${opts.steps}".`);
  const out = openOutput(opts.out);
  process.stderr.write(`auditing ${model}...\n`);
  const report = await runAudit(model, recipe, { steps: opts.steps ? Number(opts.steps) : undefined, rules });
  out.write(renderAudit(report, opts.format, { detail: opts.detail }));
  return report.expectations.some((e) => !e.ok) ? 1 : 0;
}
