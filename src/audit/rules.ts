/**
 * `--expect` rules for CI. Each is `kind:GLOB` or a bare word, checked against the audited tensors:
 * - unchanged:GLOB  every matching tensor is bit-identical after the run
 * - changed:GLOB    every matching tensor really changed (more than float32 noise)
 * - bn-fixed:GLOB   every BN running statistic matching GLOB is bit-identical
 * - no-wasted-grads no gradient was computed for a parameter that no optimizer holds
 */
import { FtprobeError } from '../errors.js';
import { matchGlob } from '../measure/glob.js';
import type { AuditTensor } from './run.js';

export type Rule = { kind: 'unchanged' | 'changed' | 'bn-fixed'; glob: string; text: string } | { kind: 'no-wasted-grads'; text: string };

export const RULE_FORMS = ['unchanged:GLOB', 'changed:GLOB', 'bn-fixed:GLOB', 'no-wasted-grads'];

export function parseRule(text: string): Rule {
  if (text === 'no-wasted-grads') return { kind: 'no-wasted-grads', text };
  const m = /^(unchanged|changed|bn-fixed):(.+)$/.exec(text);
  if (!m) throw new FtprobeError('usage', `Malformed --expect rule "${text}". Use one of: ${RULE_FORMS.join(', ')}.`);
  return { kind: m[1] as 'unchanged' | 'changed' | 'bn-fixed', glob: m[2]!, text };
}

export interface RuleResult {
  rule: string;
  ok: boolean;
  /** Tensors that break the rule, with what was measured. */
  violations: { tensor: string; measured: string }[];
  checked: number;
}

export function checkRule(rule: Rule, tensors: AuditTensor[]): RuleResult {
  if (rule.kind === 'no-wasted-grads') {
    const violations = tensors.filter((t) => t.wastedGradBytes > 0).map((t) => ({ tensor: t.name, measured: `${t.wastedGradBytes} gradient bytes per step, held by no optimizer` }));
    return { rule: rule.text, ok: violations.length === 0, violations, checked: tensors.length };
  }
  const matched = tensors.filter((t) => matchGlob(rule.glob, t.name) && (rule.kind !== 'bn-fixed' || t.role !== 'other'));
  if (!matched.length)
    throw new FtprobeError('usage', `--expect ${rule.text}: the glob "${rule.glob}" matches no ${rule.kind === 'bn-fixed' ? 'BN statistic' : 'tensor'} of this model (e.g. ${tensors.slice(0, 3).map((t) => t.name).join(', ')}).`);
  const bad = matched.filter((t) => (rule.kind === 'changed' ? t.status !== 'changed' : t.status !== 'unchanged'));
  return {
    rule: rule.text,
    ok: bad.length === 0,
    violations: bad.map((t) => ({ tensor: t.name, measured: `${t.status}, max|Δ| ${t.maxAbsDelta.toExponential(2)}${t.causes.length ? `, cause: ${t.causes.join(', ')}` : ''}` })),
    checked: matched.length,
  };
}
