/**
 * The survey's PyTorch findings as claims, checked on the `seed` and `pitfalls` surveys. Where
 * the framework documents the behaviour: torch.nn.Module.requires_grad_ / train / eval,
 * torch.optim (an optimizer updates only the parameters it was given), torch.nn.BatchNorm1d
 * (running statistics are buffers, updated in training mode); for TF.js, the Keras-style mapping
 * in README "Backends".
 */
import type { Row } from '../run/survey.js';
import { bnMoved, bnStats, featureParams, tensorEvidence, type Claim, type ClaimContext, type Evidence } from './claim.js';

const seed = (ctx: ClaimContext, freeze: boolean, notOptimize: boolean, evalMode: boolean) => ctx.row('seed', { freeze, notOptimize, evalMode });

/** "These feature parameters did not change": holds when none is `changed`; evidence is every one. */
function paramsKept(rows: Row[], survey: string): { kept: boolean; evidence: Evidence[]; moved: number } {
  const evidence = rows.flatMap((r) => featureParams(r).map((t) => tensorEvidence(survey, r, t)));
  const moved = evidence.filter((e) => e.status === 'changed').length;
  return { kept: moved === 0, evidence, moved };
}

export const freezeKeepsParams: Claim = {
  id: 'freeze-keeps-params',
  text: 'Freezing the feature extractor alone (requires_grad_(False) / trainable = false) keeps its parameters unchanged.',
  source: 'survey',
  reference: 'torch: Module.requires_grad_ and "Locally disabling gradient computation"; TF.js: Layer.trainable',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const { kept, evidence, moved } = paramsKept([seed(ctx, true, false, false), seed(ctx, true, false, true)], 'seed');
    return kept
      ? { verdict: 'holds', message: `all ${evidence.length} frozen feature parameter tensors stayed bit-identical (2 rows), with the optimizer still holding them`, evidence }
      : { verdict: 'fails', message: `${moved} frozen feature parameter tensor(s) changed`, evidence: evidence.filter((e) => e.status === 'changed') };
  },
};

export const excludeKeepsParams: Claim = {
  id: 'exclude-keeps-params',
  text: "Leaving the feature extractor's parameters out of the optimizer keeps them unchanged.",
  source: 'survey',
  reference: 'torch.optim: an optimizer updates the parameters it was constructed with; TF.js Optimizer.applyGradients',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const { kept, evidence, moved } = paramsKept([seed(ctx, false, true, false), seed(ctx, false, true, true)], 'seed');
    return kept
      ? { verdict: 'holds', message: `all ${evidence.length} feature parameter tensors left out of the optimizer stayed bit-identical (2 rows)`, evidence }
      : { verdict: 'fails', message: `${moved} feature parameter tensor(s) changed although not in the optimizer`, evidence: evidence.filter((e) => e.status === 'changed') };
  },
};

export const excludeStillComputesGrads: Claim = {
  id: 'exclude-still-computes-grads',
  text: 'Leaving the feature out of the optimizer, without freezing it, still computes and stores its gradients.',
  source: 'survey',
  reference: 'torch autograd: .grad is populated for every leaf with requires_grad=True; TF.js: gradients are taken over model.trainableWeights, as in a Keras custom loop',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const r = seed(ctx, false, true, false);
    const frozen = seed(ctx, true, true, false);
    const params = featureParams(r);
    const withGrad = params.filter((t) => t.grad !== 'none');
    const bytes = withGrad.reduce((n, t) => n + t.gradBytes, 0);
    const frozenBytes = featureParams(frozen).reduce((n, t) => n + t.gradBytes, 0);
    const evidence = params.map((t) => tensorEvidence('seed', r, t, `${t.gradBytes} gradient bytes`));
    if (withGrad.length === params.length && bytes > 0)
      return { verdict: 'holds', message: `all ${params.length} feature parameters got a gradient (${bytes} bytes per step) that no optimizer uses; frozen, they got ${frozenBytes} bytes`, evidence };
    return { verdict: 'fails', message: `${params.length - withGrad.length} of ${params.length} excluded feature parameters got no gradient`, evidence };
  },
};

export const paramSettingsLeaveBn: Claim = {
  id: 'param-settings-leave-bn',
  text: 'Neither freezing nor leaving the feature out of the optimizer stops its BN statistics from changing.',
  source: 'survey',
  reference: 'torch BatchNorm1d: running_mean/running_var are buffers updated in training mode; TF.js BatchNormalization: moving statistics updated when called with training: true',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const rows = [seed(ctx, true, false, false), seed(ctx, false, true, false), seed(ctx, true, true, false)];
    const evidence = rows.flatMap((r) => bnStats(r).map((t) => tensorEvidence('seed', r, t)));
    const fixed = rows.filter((r) => !bnMoved(r));
    return fixed.length === 0
      ? { verdict: 'holds', message: 'BN statistics moved in all 3 train-mode rows with freeze and/or not_optimize', evidence }
      : { verdict: 'fails', message: `BN statistics stayed fixed in ${fixed.map((r) => r.id).join('; ')}`, evidence };
  },
};

export const evalFixesBn: Claim = {
  id: 'eval-fixes-bn',
  text: 'Eval mode on the feature keeps its BN statistics fixed, independently of freeze and not_optimize.',
  source: 'survey',
  reference: 'torch Module.eval / BatchNorm1d; TF.js: the sub-model called with training: false',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const evidence: Evidence[] = [];
    const wrong: string[] = [];
    for (const f of [false, true])
      for (const n of [false, true]) {
        const on = seed(ctx, f, n, true);
        const off = seed(ctx, f, n, false);
        evidence.push(...bnStats(on).map((t) => tensorEvidence('seed', on, t, 'eval mode')));
        if (bnMoved(on)) wrong.push(`${on.id}: moved in eval mode`);
        if (!bnMoved(off)) wrong.push(`${off.id}: fixed without eval mode`);
      }
    return wrong.length === 0
      ? { verdict: 'holds', message: 'BN statistics bit-identical in all 4 eval-mode rows and moved in all 4 train-mode rows', evidence }
      : { verdict: 'fails', message: wrong.join('; '), evidence };
  },
};

export const bnStatsAreBuffers: Claim = {
  id: 'bn-stats-are-buffers',
  text: 'BN statistics are not parameters (buffers in torch, non-trainable weights in TF.js): no gradient, never in the optimizer.',
  source: 'survey',
  reference: 'torch: Module.register_buffer, BatchNorm running stats; TF.js: BatchNormalization moving stats are non-trainable',
  needs: ['seed'],
  appliesTo: ['torch', 'tfjs'],
  evaluate(ctx) {
    const r = seed(ctx, false, false, false);
    const reached = new Set(r.optimized);
    const stats = bnStats(r);
    const evidence = stats.map((t) => tensorEvidence('seed', r, t, `kind=${t.kind} trainable=${t.trainable} optimized=${reached.has(t.name)}`));
    const bad = stats.filter((t) => t.kind !== 'buffer' || t.trainable || t.grad !== 'none' || reached.has(t.name));
    return bad.length === 0 && stats.length > 0
      ? { verdict: 'holds', message: `${stats.map((t) => t.name).join(', ')}: buffers, no gradient, not handed to the optimizer, yet changed by the forward pass`, evidence }
      : { verdict: 'fails', message: `${bad.map((t) => t.name).join(', ')} behaved as parameters`, evidence };
  },
};

const NO_MODULE_MODE = 'TF.js has no module mode: ftprobe maps train()/eval() to call-time training flags, so this would measure that mapping, not TF.js';

export const trainResetsEval: Claim = {
  id: 'train-resets-eval',
  text: '`model.train()` after `feature.eval()` puts the feature back into training mode.',
  source: 'survey',
  reference: 'torch Module.train(mode=True): "Sets the module in training mode" recursively over children',
  needs: ['pitfalls'],
  appliesTo: ['torch'],
  notApplicable: NO_MODULE_MODE,
  evaluate(ctx) {
    const r = ctx.row('pitfalls', { case: 'eval-then-train' });
    const mode = r.modes['feature'];
    const evidence: Evidence[] = [{ survey: 'pitfalls', row: r.id, note: `feature.training=${mode} and feature.bn.training=${r.modes['feature.bn']} at the step` }, ...bnStats(r).map((t) => tensorEvidence('pitfalls', r, t))];
    return mode === true && bnMoved(r)
      ? { verdict: 'holds', message: 'after feature.eval(); model.train(), feature.training was True at the step and its BN statistics moved', evidence }
      : { verdict: 'fails', message: `feature.training=${mode} at the step; BN statistics ${bnMoved(r) ? 'moved' : 'stayed fixed'}`, evidence };
  },
};

export const evalBeforeTrainHolds: Claim = {
  id: 'eval-before-train-holds',
  text: '`feature.eval()` called before `model.train()` still holds after the train call.',
  source: 'ftprobe',
  reference: 'torch Module.train / Module.eval',
  needs: ['pitfalls'],
  appliesTo: ['torch'],
  notApplicable: NO_MODULE_MODE,
  evaluate(ctx) {
    const before = ctx.row('pitfalls', { case: 'eval-then-train' });
    const after = ctx.row('pitfalls', { case: 'train-then-eval' });
    const evidence = [...bnStats(before).map((t) => tensorEvidence('pitfalls', before, t, 'eval() then train()')), ...bnStats(after).map((t) => tensorEvidence('pitfalls', after, t, 'train() then eval()'))];
    return before.modes['feature'] === false && !bnMoved(before)
      ? { verdict: 'holds', message: 'the feature stayed in eval mode through model.train()', evidence }
      : {
          verdict: 'fails',
          message: `model.train() reset it: feature.training=${before.modes['feature']} at the step and BN statistics moved; called after model.train(), eval() kept them ${bnMoved(after) ? 'moving' : 'fixed'}`,
          evidence,
        };
  },
};

export const SURVEY_CLAIMS: Claim[] = [freezeKeepsParams, excludeKeepsParams, excludeStillComputesGrads, paramSettingsLeaveBn, evalFixesBn, bnStatsAreBuffers, trainResetsEval];
