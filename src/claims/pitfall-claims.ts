/**
 * ftprobe's own claims, checked on the `pitfalls` survey: what happens when freezing starts after
 * training has, what the survey's loss does to gradients through train-mode BN, and no-grad
 * forwards. Documented behaviour they are about: torch.optim.Optimizer.zero_grad (set_to_none),
 * torch.optim.SGD/Adam/AdamW update rules (momentum buffers, moments and weight decay act on every
 * parameter with a .grad, zeroed or not; parameters whose .grad is None are skipped); torch.no_grad
 * (disables gradient tracking only); tfjs Optimizer.applyGradients.
 */
import { CAUSE_TEXT, orderCauses } from '../measure/cause.js';
import type { Row } from '../run/survey.js';
import { bnMoved, bnStats, tensorEvidence, type Claim, type ClaimContext, type Evidence, type Verdict } from './claim.js';
import { evalBeforeTrainHolds } from './survey-claims.js';

const OPTIMIZERS = ['sgd', 'momentum', 'weight-decay', 'adam', 'adamw'];
const ZERO = ['zeros', 'none'];
/** Records before the late change: the pitfalls survey takes 3 steps, then freezes or rebuilds. */
const WARMUP = 3;

/** Feature parameters that moved after the warm-up, with the measured causes of the later steps. */
function lateMoves(r: Row): { evidence: Evidence[]; causes: string[] } {
  const later = r.steps.slice(WARMUP);
  const evidence: Evidence[] = [];
  const causes = new Set<string>();
  for (const name of r.tensors.filter((t) => t.name.startsWith('feature.') && t.kind === 'param').map((t) => t.name)) {
    const perStep = later.map((s) => s.tensors.find((t) => t.name === name)!);
    const moved = perStep.filter((t) => t.status === 'changed');
    if (!moved.length) continue;
    const c = orderCauses(moved.flatMap((t) => t.causes));
    c.forEach((x) => causes.add(x));
    const worst = moved.reduce((a, b) => (b.maxAbsDelta > a.maxAbsDelta ? b : a));
    evidence.push(tensorEvidence('pitfalls', r, worst, `moved in ${moved.length} of ${later.length} steps after the change; cause: ${c.join(', ')}`));
  }
  return { evidence, causes: [...causes] };
}

function lateClaim(ctx: ClaimContext, kind: 'late-freeze' | 'late-exclude'): Pick<Verdict, 'verdict' | 'message' | 'evidence'> {
  const evidence: Evidence[] = [];
  const moved: string[] = [];
  const raised = new Map<string, string[]>();
  const kept: string[] = [];
  const skipped = new Map<string, string[]>();
  // TF.js has no zero_grad: its gradients are fresh every step, so the zeroGrad factor is not a setting there.
  const zeroKinds = ctx.backend.name === 'torch' ? ZERO : ['zeros'];
  for (const optimizer of OPTIMIZERS)
    for (const zeroGrad of zeroKinds) {
      const label = ctx.backend.name === 'torch' ? `${optimizer}/zero_grad(set_to_none=${zeroGrad === 'none' ? 'True' : 'False'})` : optimizer;
      const r = ctx.anyRow('pitfalls', { case: kind, optimizer, zeroGrad });
      if (!r) continue;
      if (r.state === 'skipped') skipped.set(r.reason ?? '', [...(skipped.get(r.reason ?? '') ?? []), label]);
      else if (r.state === 'errored') {
        const msg = r.error?.message ?? '';
        raised.set(msg, [...(raised.get(msg) ?? []), label]);
        evidence.push({ survey: 'pitfalls', row: r.id, note: `raised: ${msg}` });
      } else {
        const late = lateMoves(r);
        if (late.evidence.length) {
          moved.push(`${label} (${late.causes.map((c) => CAUSE_TEXT[c as keyof typeof CAUSE_TEXT]).join('; ')})`);
          evidence.push(...late.evidence);
        } else {
          kept.push(label);
          const n = r.tensors.filter((t) => t.name.startsWith('feature.') && t.kind === 'param').length;
          evidence.push({ survey: 'pitfalls', row: r.id, note: `all ${n} feature parameter tensors bit-identical in the ${r.steps.length - WARMUP} steps after the change` });
        }
      }
    }
  const notes = [...skipped].map(([reason, labels]) => `not run for ${labels.join(', ')}: ${reason}`);
  if (!moved.length && !raised.size && !kept.length) return { verdict: 'n/a', message: notes.join('; ') || 'no trial ran', evidence };
  if (!moved.length && !raised.size)
    return { verdict: 'holds', message: [`feature parameters stayed bit-identical after the change for ${kept.join(', ')}`, ...notes].join('; '), evidence };
  const parts = [
    moved.length ? `feature parameters kept moving for ${moved.join(', ')}` : '',
    ...[...raised].map(([msg, labels]) => `${ctx.backend.framework} raised "${msg}" for ${labels.join(', ')}`),
    kept.length ? `they stayed fixed for ${kept.join(', ')}` : '',
    ...notes,
  ].filter(Boolean);
  return { verdict: 'fails', message: parts.join('; '), evidence };
}

export const lateFreezeStopsUpdates: Claim = {
  id: 'late-freeze-stops-updates',
  text: "Freezing the feature (requires_grad_(False) / trainable = false) after some training steps stops its parameters from changing, whatever the optimizer and however gradients are cleared.",
  source: 'ftprobe',
  reference: 'torch.optim.Optimizer.zero_grad(set_to_none); SGD (momentum, weight_decay), Adam, AdamW update rules; tfjs Optimizer.applyGradients',
  needs: ['pitfalls'],
  appliesTo: ['torch', 'tfjs'],
  evaluate: (ctx) => lateClaim(ctx, 'late-freeze'),
};

export const lateExcludeStopsUpdates: Claim = {
  id: 'late-exclude-stops-updates',
  text: "Rebuilding the optimizer without the feature's parameters after some training steps stops them from changing.",
  source: 'ftprobe',
  reference: 'torch.optim: a new optimizer holds only the parameters it was given, with fresh state',
  needs: ['pitfalls'],
  appliesTo: ['torch', 'tfjs'],
  evaluate: (ctx) => lateClaim(ctx, 'late-exclude'),
};

export const sumLossReachesPreBn: Claim = {
  id: 'sum-loss-reaches-pre-bn',
  text: "With the survey's loss (the sum of outputs) and BN in train mode, the layers before BN receive a real gradient.",
  source: 'ftprobe',
  reference: 'BatchNorm in training mode normalises with batch statistics (torch BatchNorm1d); the batch sum of its output is then constant',
  needs: ['pitfalls'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const sum = ctx.row('pitfalls', { case: 'loss-sum' });
    const mse = ctx.row('pitfalls', { case: 'loss-mse' });
    const pre = (r: Row) => r.tensors.filter((t) => /^feature\.(input|fc1)\./.test(t.name));
    if (pre(sum).some((t) => t.gradPrecision === null))
      return { verdict: 'n/a', message: `${ctx.backend.framework} gave no float64 replay to tell a real gradient from float32 residue`, evidence: [] };
    const evidence = [...pre(sum), ...pre(mse)].map((t) => {
      const r = pre(sum).includes(t) ? sum : mse;
      return tensorEvidence('pitfalls', r, t, `max|grad| ${t.gradMaxAbs.toExponential(2)} float32 vs ${t.gradMaxAbs64?.toExponential(2)} float64: ${t.gradPrecision}`);
    });
    const residue = pre(sum).filter((t) => t.gradPrecision === 'roundoff');
    const control = pre(mse).every((t) => t.gradPrecision === 'real') ? 'the mse control gave real gradients to all of them' : 'the mse control did not give real gradients either';
    if (!residue.length) return { verdict: 'holds', message: `every pre-BN parameter got a real gradient; ${control}`, evidence };
    const worst = Math.max(...residue.map((t) => t.gradMaxAbs64 ?? 0));
    return {
      verdict: 'fails',
      message: `${residue.length} of ${pre(sum).length} pre-BN parameter tensors got only float32 residue (float64 replay at most ${worst.toExponential(1)}); ${control}`,
      evidence,
    };
  },
};

export const noGradForwardUpdatesBn: Claim = {
  id: 'nograd-forward-updates-bn',
  text: 'A forward pass without gradient tracking (torch.no_grad() / tf.tidy) in training mode still updates BN statistics.',
  source: 'ftprobe',
  reference: 'torch.no_grad disables gradient tracking only, not BatchNorm training mode; TF.js BatchNormalization follows the training flag',
  needs: ['pitfalls'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const r = ctx.row('pitfalls', { case: 'nograd-forward' });
    const evidence = bnStats(r).map((t) => tensorEvidence('pitfalls', r, t));
    const params = r.tensors.filter((t) => t.kind === 'param' && t.status !== 'unchanged').length;
    return bnMoved(r)
      ? { verdict: 'holds', message: `BN statistics moved during a no-grad forward in training mode; ${params} parameter tensors changed`, evidence }
      : { verdict: 'fails', message: 'BN statistics stayed fixed', evidence };
  },
};

export const PITFALL_CLAIMS: Claim[] = [lateFreezeStopsUpdates, lateExcludeStopsUpdates, sumLossReachesPreBn, evalBeforeTrainHolds, noGradForwardUpdatesBn];
