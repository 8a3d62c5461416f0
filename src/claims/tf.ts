/**
 * The survey's four TensorFlow 2.x / Keras claims (T1-T4), checked on the `keras` survey's rows.
 * Reference for Keras's documented behaviour: keras.io, BatchNormalization layer ("About setting
 * `layer.trainable = False` on a BatchNormalization layer") and the Transfer learning & fine-tuning
 * guide (trainable vs non-trainable weights; `training=False` when calling the base model).
 */
import type { Row } from '../run/survey.js';
import { bnMoved, bnStats, featureParams, tensorEvidence, type Claim, type ClaimContext, type Evidence } from './claim.js';

const S = 'keras';
const TF_ONLY = 'a TensorFlow/Keras claim: PyTorch has no `trainable` flag or `training` call argument';
const keras = (ctx: ClaimContext, trainable: string, driver: string) => ctx.row(S, { trainable, driver });

/** Evidence for "did BN move in this row": its two statistics with magnitudes. */
function bnEvidence(r: Row, note: string): Evidence[] {
  return bnStats(r).map((t) => tensorEvidence(S, r, t, note));
}

export const tfTrainableFreezesBn: Claim = {
  id: 'tf-trainable-freezes-bn',
  text: '`trainable = false` stops gradient updates to a layer and also puts its BatchNormalization into inference mode.',
  source: 'survey',
  reference: 'keras.io BatchNormalization: "setting trainable = False on a BatchNormalization layer ... the layer will run in inference mode" (TF >= 2.0)',
  needs: [S],
  appliesTo: ['tfjs'],
  notApplicable: TF_ONLY,
  evaluate(ctx) {
    const trainingDrivers = ['fit', 'step-training-true'];
    const frozen = trainingDrivers.map((d) => keras(ctx, 'all', d));
    const bnOnly = trainingDrivers.map((d) => keras(ctx, 'bn-only', d));
    const paramsMoved = frozen.flatMap((r) => featureParams(r).filter((t) => t.status === 'changed').map((t) => tensorEvidence(S, r, t, 'frozen parameter changed')));
    const bnRows = [...frozen, ...bnOnly].filter(bnMoved);
    const evidence = [...paramsMoved, ...bnRows.flatMap((r) => bnEvidence(r, 'BN statistics moved under trainable = false'))];
    const stopsUpdates = paramsMoved.length === 0;
    const inference = bnRows.length === 0;
    if (stopsUpdates && inference)
      return { verdict: 'holds', message: 'frozen feature weights stayed bit-identical and BN statistics stayed fixed under fit and training: true', evidence: frozen.flatMap((r) => bnEvidence(r, 'fixed')) };
    const parts = [
      stopsUpdates ? 'trainable = false did stop gradient updates (every frozen weight bit-identical)' : `${paramsMoved.length} frozen weight(s) changed`,
      inference ? 'BN stayed in inference mode' : `but BN statistics still moved in ${bnRows.length} of ${frozen.length + bnOnly.length} training rows with a frozen BN (${bnRows.map((r) => r.id).join('; ')}): TF.js BatchNormalization follows only the training argument, unlike Keras >= 2.0 where trainable = false implies inference mode`,
    ];
    return { verdict: 'fails', message: parts.join('; '), evidence };
  },
};

export const tfTrainingFlagDecidesMode: Claim = {
  id: 'tf-training-flag-decides-mode',
  text: '`fit` / `training: true` run BN in training mode and `predict` / `evaluate` / `training: false` in inference mode; in training mode BN respects `trainable`.',
  source: 'survey',
  reference: 'keras.io Transfer learning guide ("training=False" when calling the base model) and BatchNormalization docs',
  needs: [S],
  appliesTo: ['tfjs'],
  notApplicable: TF_ONLY,
  evaluate(ctx) {
    // What the claim says BN should do in each row: true = statistics move (training mode).
    const expected: [string, string, boolean, string][] = [
      ['none', 'fit', true, 'fit trains'],
      ['none', 'step-training-true', true, 'training: true'],
      ['none', 'predict', false, 'predict is inference'],
      ['none', 'evaluate', false, 'evaluate is inference'],
      ['none', 'step-training-false', false, 'training: false'],
      ['none', 'fit-built-false', false, 'training: false fixed when the model was built'],
      ['bn-only', 'fit', false, 'trainable = false on BN, respected in training mode'],
    ];
    const evidence: Evidence[] = [];
    const wrong: string[] = [];
    for (const [trainable, driver, moves, why] of expected) {
      const r = keras(ctx, trainable, driver);
      const moved = bnMoved(r);
      evidence.push(...bnEvidence(r, `${why}: expected ${moves ? 'training' : 'inference'} mode, measured ${moved ? 'statistics moved' : 'statistics fixed'}`));
      if (moved !== moves) wrong.push(`${driver} with ${trainable} frozen (${why}) ran BN in ${moved ? 'training' : 'inference'} mode`);
    }
    if (!wrong.length) return { verdict: 'holds', message: 'every driver put BN in the mode the claim states', evidence };
    const modePart = wrong.length < expected.length ? `${expected.length - wrong.length} of ${expected.length} rows agree; ` : '';
    return { verdict: 'fails', message: `${modePart}${wrong.join('; ')}`, evidence };
  },
};

export const tfOnlyTrainableReachOptimizer: Claim = {
  id: 'tf-only-trainable-reach-optimizer',
  text: 'Only trainable weights reach the optimizer; weights with `trainable = false` never do.',
  source: 'survey',
  reference: 'keras.io Transfer learning guide: "non-trainable weights ... are not updated during training"; tfjs LayersModel.trainableWeights',
  needs: [S],
  appliesTo: ['tfjs'],
  notApplicable: TF_ONLY,
  evaluate(ctx) {
    const evidence: Evidence[] = [];
    let rows = 0;
    for (const trainable of ['none', 'all-but-bn', 'bn-only', 'all'])
      for (const driver of ['fit', 'step-training-true', 'step-training-false', 'fit-built-false', 'step-built-false']) {
        const r = keras(ctx, trainable, driver);
        rows++;
        const reached = new Set(r.optimized);
        for (const t of r.tensors) if (reached.has(t.name) && !t.trainable) evidence.push(tensorEvidence(S, r, t, 'non-trainable weight reached the optimizer'));
      }
    if (evidence.length) return { verdict: 'fails', message: `${evidence.length} non-trainable weight(s) reached the optimizer`, evidence };
    const all = keras(ctx, 'all', 'fit');
    return {
      verdict: 'holds',
      message: `in ${rows} training rows, every weight handed to applyGradients was trainable at the time (with the feature frozen, fit handed over only ${all.optimized.join(', ')})`,
      evidence: [{ survey: S, row: all.id, note: `optimizer received: ${all.optimized.join(', ')}` }],
    };
  },
};

export const tfBnStatsNonTrainable: Claim = {
  id: 'tf-bn-stats-non-trainable',
  text: 'BN statistics are non-trainable weights, and setting `trainable = true` on the layer does not make them trainable.',
  source: 'survey',
  reference: 'keras.io BatchNormalization: moving_mean and moving_variance are non-trainable weights',
  needs: [S],
  appliesTo: ['tfjs'],
  notApplicable: TF_ONLY,
  evaluate(ctx) {
    const evidence: Evidence[] = [];
    // Rows where the BN layer's own `trainable` is true (its default, or set by freezing others only).
    const rows = ['none', 'all-but-bn'].flatMap((trainable) => ['fit', 'step-training-true'].map((driver) => keras(ctx, trainable, driver)));
    for (const r of rows) {
      const reached = new Set(r.optimized);
      for (const t of bnStats(r)) {
        if (t.kind !== 'buffer' || t.trainable || reached.has(t.name) || t.grad !== 'none') evidence.push(tensorEvidence(S, r, t, `kind=${t.kind} trainable=${t.trainable} optimized=${reached.has(t.name)}`));
      }
    }
    if (evidence.length) return { verdict: 'fails', message: 'a BN statistic was trainable, got a gradient or reached the optimizer', evidence };
    const r = rows[0]!;
    return {
      verdict: 'holds',
      message: `moving_mean and moving_variance were created non-trainable, stayed out of trainableWeights with the BN layer trainable, got no gradient and never reached the optimizer (${rows.length} rows)`,
      evidence: bnStats(r).map((t) => tensorEvidence(S, r, t, 'non-trainable; moved only through the BN forward pass')),
    };
  },
};

export const TF_CLAIMS: Claim[] = [tfTrainableFreezesBn, tfTrainingFlagDecidesMode, tfOnlyTrainableReachOptimizer, tfBnStatsNonTrainable];
