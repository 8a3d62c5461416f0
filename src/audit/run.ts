/**
 * `ftprobe audit`: a user's model through a user's recipe for a few real steps, and the fate of
 * every tensor, with the pitfalls found in this run as warnings. The model is run by the backend
 * of its kind (TorchScript and module:factory on torch, model.json on tfjs) through the same
 * machinery as surveys; the analysis below reads only what was measured.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendInfo, BackendName } from '../backends/backend.js';
import { resolveBackends } from '../backends/registry.js';
import { FtprobeError } from '../errors.js';
import type { Cause } from '../measure/cause.js';
import type { TensorReport } from '../measure/diff.js';
import { PACKAGE_VERSION } from '../paths.js';
import { runSurvey, type Row } from '../run/survey.js';
import type { ExternalModelSpec, SurveySpec } from '../spec/schema.js';
import { compileRecipe, type Recipe } from './recipe.js';
import { checkRule, type Rule, type RuleResult } from './rules.js';

export interface AuditTensor extends TensorReport {
  module: string;
  /** Gradient bytes computed for it in a step where no optimizer held it (largest over steps). */
  wastedGradBytes: number;
  /** Held by the optimizer at the last step. */
  inOptimizer: boolean;
}

export interface ModuleSummary {
  module: string;
  tensors: number;
  changed: number;
  noise: number;
  unchanged: number;
  maxAbsDelta: number;
  causes: Cause[];
  gradBytes: number;
  wastedGradBytes: number;
}

export interface AuditWarning {
  code: 'frozen-in-stateful-optimizer' | 'bn-drift-under-frozen' | 'train-undid-eval' | 'wasted-grads' | 'frozen-but-changed';
  message: string;
  hint: string;
  tensors: string[];
}

export interface AuditReport {
  tool: { name: 'ftprobe'; version: string };
  model: ExternalModelSpec;
  backend: BackendInfo;
  recipe: { steps: number; batch: number; loss: string; zeroGrad: string };
  code: string[];
  tensors: AuditTensor[];
  modules: ModuleSummary[];
  warnings: AuditWarning[];
  wastedGradBytesPerStep: number;
  expectations: RuleResult[];
}

/** MODEL on the command line: a model.json (tfjs), a `module:factory` (torch, runs the user's code), or a TorchScript file. */
export function parseModelArg(arg: string): { model: ExternalModelSpec; backend: BackendName } {
  if (/\.json$/i.test(arg)) {
    if (!existsSync(arg)) throw new FtprobeError('io', `Cannot read model ${arg}: no such file.`);
    return { model: { tfjs: resolve(arg) }, backend: 'tfjs' };
  }
  if (!existsSync(arg) && /^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(arg)) return { model: { python: arg, path: process.cwd() }, backend: 'torch' };
  if (!existsSync(arg)) throw new FtprobeError('io', `Cannot read model ${arg}: no such file (expected a TorchScript file, a TF.js model.json, or module:factory).`);
  return { model: { torchscript: resolve(arg) }, backend: 'torch' };
}

/** Errors that are the user's input, not a measurement: a model that cannot load, a glob that selects nothing. */
const INPUT_ERRORS = new Set(['bad-model', 'no-match', 'bad-recipe', 'bad-target', 'bad-optimizer', 'bad-loss']);

export async function runAudit(modelArg: string, recipe: Recipe, opts: { steps?: number; rules?: Rule[] } = {}): Promise<AuditReport> {
  const { model, backend } = parseModelArg(modelArg);
  const steps = opts.steps ?? recipe.steps;
  const spec: SurveySpec = {
    name: 'audit',
    description: '',
    model,
    modelWhen: [],
    only: [],
    data: { batch: recipe.batch, ...(recipe.input && { input: recipe.input }) },
    seed: recipe.seed,
    factors: [],
    recipe: compileRecipe(recipe, steps),
    outcomes: {},
  };
  const { backends } = await resolveBackends([backend]);
  let row: Row;
  try {
    const result = await runSurvey(spec, { backends, keepSteps: true });
    row = result.runs[0]!.rows[0]!;
  } finally {
    await Promise.all(backends.map((b) => b.dispose()));
  }
  if (row.state === 'errored' && INPUT_ERRORS.has(row.error!.code)) throw new FtprobeError('bad-spec', row.error!.message);
  if (row.state !== 'completed') throw new FtprobeError('backend-unavailable', `The audit run ${row.state}: ${row.error?.message ?? row.reason ?? ''}`);
  const tensors = analyse(row);
  return {
    tool: { name: 'ftprobe', version: PACKAGE_VERSION },
    model,
    backend: backends[0]!.info,
    recipe: { steps, batch: recipe.batch, loss: recipe.loss, zeroGrad: recipe.zeroGrad },
    code: row.code,
    tensors,
    modules: summarize(tensors),
    warnings: warnings(row, tensors, spec),
    wastedGradBytesPerStep: tensors.reduce((n, t) => n + t.wastedGradBytes, 0),
    expectations: (opts.rules ?? []).map((r) => checkRule(r, tensors)),
  };
}

const moduleOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '(root)');

function analyse(row: Row): AuditTensor[] {
  const training = row.steps.filter((s) => s.optimizer);
  const last = training.at(-1);
  return row.tensors.map((t) => {
    let wasted = 0;
    for (const s of training) {
      const g = s.tensors.find((x) => x.name === t.name);
      if (g && g.grad !== 'none' && s.optimizer?.[t.name] && !s.optimizer[t.name]!.held) wasted = Math.max(wasted, g.gradBytes);
    }
    return { ...t, module: moduleOf(t.name), wastedGradBytes: wasted, inOptimizer: last?.optimizer?.[t.name]?.held ?? false };
  });
}

function summarize(tensors: AuditTensor[]): ModuleSummary[] {
  const groups = new Map<string, AuditTensor[]>();
  for (const t of tensors) groups.set(t.module, [...(groups.get(t.module) ?? []), t]);
  return [...groups].map(([module, ts]) => ({
    module,
    tensors: ts.length,
    changed: ts.filter((t) => t.status === 'changed').length,
    noise: ts.filter((t) => t.status === 'noise').length,
    unchanged: ts.filter((t) => t.status === 'unchanged').length,
    maxAbsDelta: Math.max(...ts.map((t) => t.maxAbsDelta)),
    causes: [...new Set(ts.flatMap((t) => t.causes))],
    gradBytes: ts.reduce((n, t) => n + t.gradBytes, 0),
    wastedGradBytes: ts.reduce((n, t) => n + t.wastedGradBytes, 0),
  }));
}

const list = (names: string[], n = 4) => names.slice(0, n).join(', ') + (names.length > n ? ` and ${names.length - n} more` : '');

function warnings(row: Row, tensors: AuditTensor[], spec: SurveySpec): AuditWarning[] {
  const out: AuditWarning[] = [];
  const training = row.steps.filter((s) => s.optimizer);
  // 1. Frozen parameters the optimizer still holds with weight decay or state.
  const stateful = new Set<string>();
  for (const s of training)
    for (const t of s.tensors)
      if (t.kind === 'param' && !t.trainable && s.optimizer?.[t.name]?.held && (s.optimizer[t.name]!.weightDecay > 0 || s.optimizer[t.name]!.stateMaxAbs > 0)) stateful.add(t.name);
  // Changes of a parameter in the steps where it was frozen, with their measured causes.
  const frozenCauses = new Map<string, Set<string>>();
  for (const s of training)
    for (const t of s.tensors)
      if (t.kind === 'param' && !t.trainable && t.status === 'changed') frozenCauses.set(t.name, new Set([...(frozenCauses.get(t.name) ?? []), ...t.causes]));
  if (stateful.size) {
    const moved = [...stateful].filter((n) => frozenCauses.has(n));
    const causes = [...new Set(moved.flatMap((n) => [...frozenCauses.get(n)!]))];
    out.push({
      code: 'frozen-in-stateful-optimizer',
      message: `${stateful.size} frozen parameter tensor(s) are still in an optimizer with weight decay or momentum/Adam state${moved.length ? `, and ${moved.length} of them changed while frozen (${causes.join(', ')})` : ', though none changed while frozen'}: ${list([...stateful])}`,
      hint: 'build the optimizer from the trainable parameters only (e.g. filter(lambda p: p.requires_grad, model.parameters())), or clear gradients with zero_grad(set_to_none=True)',
      tensors: [...stateful],
    });
  }
  // 2. Frozen parameters that nevertheless changed in a step where they were frozen, whatever the reason.
  const frozenMoved = tensors.filter((t) => frozenCauses.has(t.name) && !stateful.has(t.name));
  if (frozenMoved.length)
    out.push({ code: 'frozen-but-changed', message: `${frozenMoved.length} frozen parameter tensor(s) changed: ${list(frozenMoved.map((t) => t.name))}`, hint: 'check when they were frozen and what the optimizer holds', tensors: frozenMoved.map((t) => t.name) });
  // 3. BN statistics that moved in a step where the BN layer's own parameters were frozen.
  const driftNames = new Set<string>();
  for (const s of training) {
    const frozenModules = new Set(s.tensors.filter((t) => t.kind === 'param' && !t.trainable).map((t) => moduleOf(t.name)));
    for (const t of s.tensors) if ((t.role === 'bn-mean' || t.role === 'bn-var') && t.status === 'changed' && frozenModules.has(moduleOf(t.name))) driftNames.add(t.name);
  }
  const drift = tensors.filter((t) => driftNames.has(t.name));
  if (drift.length)
    out.push({
      code: 'bn-drift-under-frozen',
      message: `BN running statistics of ${new Set(drift.map((t) => t.module)).size} frozen BN layer(s) changed: ${list([...new Set(drift.map((t) => t.module))])}`,
      hint: 'freezing parameters does not freeze BN statistics: call .eval() on those BN layers after every model.train() (TF.js: call the frozen part with { training: false }), or decide to let them adapt on purpose',
      tensors: drift.map((t) => t.name),
    });
  // 4. An eval() that a later train() undid: the module's measured training flag at a step after the eval.
  const evals: { target: string; stepsBefore: number }[] = [];
  let stepsSoFar = 0;
  for (const a of spec.recipe) {
    if (a.op === 'eval') evals.push({ target: a.target, stepsBefore: stepsSoFar });
    if (a.op === 'step') stepsSoFar += a.times;
  }
  const undone = [...new Set(evals.filter((e) => training.some((s, i) => i >= e.stepsBefore && s.modes[e.target] === true)).map((e) => e.target))];
  if (undone.length)
    out.push({
      code: 'train-undid-eval',
      message: `${list(undone)} ${undone.length > 1 ? 'were' : 'was'} put in eval mode, but ${undone.length > 1 ? 'were' : 'was'} in training mode at a step: a later train() undid it`,
      hint: 'call eval() on them after model.train(), at every epoch',
      tensors: [],
    });
  // 5. Gradients computed for parameters no optimizer holds.
  const wasted = tensors.filter((t) => t.wastedGradBytes > 0);
  if (wasted.length)
    out.push({
      code: 'wasted-grads',
      message: `${wasted.length} parameter tensor(s) are neither frozen nor optimized but got gradients: ${wasted.reduce((n, t) => n + t.wastedGradBytes, 0)} bytes per step (${list(wasted.map((t) => t.name))})`,
      hint: 'freeze them with requires_grad_(False) (TF.js: trainable = false) so no gradient is computed',
      tensors: wasted.map((t) => t.name),
    });
  return out;
}
