/**
 * "What to do", per framework, derived from this run's verdicts: each recommendation is tied to a
 * claim and the verdict that makes it true, so a framework version that behaves differently
 * changes the advice. The measured message is quoted, so numbers come from the run.
 */
import type { BackendName } from '../backends/backend.js';
import type { VerdictValue } from './claim.js';
import type { ClaimResult } from './evaluate.js';

interface Rule {
  claim: string;
  when: VerdictValue;
  backends: BackendName[];
  advice: string;
}

const RULES: Rule[] = [
  { claim: 'exclude-still-computes-grads', when: 'holds', backends: ['torch', 'tfjs'], advice: 'Freeze the feature (requires_grad_(False) / trainable = false) instead of only leaving it out of the optimizer: excluded but unfrozen parameters still get gradients.' },
  { claim: 'param-settings-leave-bn', when: 'holds', backends: ['torch', 'tfjs'], advice: 'Freezing parameters does not freeze BN statistics: decide on BN separately.' },
  { claim: 'eval-fixes-bn', when: 'holds', backends: ['torch'], advice: 'To keep a frozen feature\'s BN statistics fixed, call model.feature.eval().' },
  { claim: 'eval-fixes-bn', when: 'holds', backends: ['tfjs'], advice: 'To keep a frozen feature\'s BN statistics fixed, call it with { training: false } in your training step.' },
  { claim: 'train-resets-eval', when: 'holds', backends: ['torch'], advice: 'model.train() undoes feature.eval(): call feature.eval() after every model.train() (or override train()).' },
  { claim: 'tf-trainable-freezes-bn', when: 'fails', backends: ['tfjs'], advice: 'On TF.js, trainable = false does not put BN into inference mode (unlike Keras): call the frozen sub-model with { training: false }.' },
  { claim: 'tf-training-flag-decides-mode', when: 'fails', backends: ['tfjs'], advice: 'On TF.js, a training flag fixed when the functional model is built does not survive fit(); pass it at call time in a custom step.' },
  { claim: 'late-freeze-stops-updates', when: 'fails', backends: ['torch'], advice: 'Freezing mid-training is not enough with momentum, Adam or weight decay while gradients are zeroed rather than set to None: rebuild the optimizer without the frozen parameters, or use zero_grad(set_to_none=True).' },
  { claim: 'late-freeze-stops-updates', when: 'fails', backends: ['tfjs'], advice: 'On TF.js, do not change which weights are trainable under an optimizer that has state: create a new optimizer after freezing.' },
  { claim: 'late-exclude-stops-updates', when: 'holds', backends: ['torch', 'tfjs'], advice: 'Rebuilding the optimizer without the frozen parameters reliably stops them.' },
  { claim: 'sum-loss-reaches-pre-bn', when: 'fails', backends: ['torch'], advice: 'Do not test freezing with loss = sum(outputs) through a train-mode BN: layers before BN receive only float32 residue; use a real loss.' },
  { claim: 'nograd-forward-updates-bn', when: 'holds', backends: ['torch', 'tfjs'], advice: 'A no-grad forward (evaluation inside training) still moves BN statistics in training mode: switch to eval mode first.' },
];

export interface Advice {
  backend: BackendName;
  frameworkVersion: string;
  claim: string;
  verdict: VerdictValue;
  text: string;
  measured: string;
}

export function adviceFrom(claims: ClaimResult[]): Advice[] {
  const out: Advice[] = [];
  for (const rule of RULES) {
    const claim = claims.find((c) => c.id === rule.claim);
    for (const v of claim?.verdicts ?? [])
      if (rule.backends.includes(v.backend) && v.verdict === rule.when)
        out.push({ backend: v.backend, frameworkVersion: v.frameworkVersion, claim: rule.claim, verdict: v.verdict, text: rule.advice, measured: v.message });
  }
  return out;
}
