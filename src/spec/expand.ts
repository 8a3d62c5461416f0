/** Expands a survey's factorial design into trials: every combination, first factor varying slowest. */
import type { Action, ActionSpec, Condition, FactorValue, SurveySpec, Trial } from './schema.js';

export function expandSurvey(survey: SurveySpec, seed: number = survey.seed): Trial[] {
  const combos = survey.factors.reduce<Record<string, FactorValue>[]>(
    (acc, f) => acc.flatMap((c) => f.values.map((v) => ({ ...c, [f.name]: v }))),
    [{}],
  );
  const kept = combos.filter((c) => survey.only.every((rule) => !matches(rule.when, c) || matches(rule.require, c)));
  return kept.map((settings) => ({
    id: survey.factors.length ? survey.factors.map((f) => `${f.name}=${String(settings[f.name])}`).join(',') : 'default',
    settings,
    model: survey.modelWhen.find((v) => applies(v, settings))?.model ?? survey.model,
    data: survey.data,
    seed,
    actions: survey.recipe.filter((a) => applies(a, settings)).map(stripWhen),
  }));
}

export function matches(cond: Condition | undefined, settings: Record<string, FactorValue>): boolean {
  return Object.entries(cond ?? {}).every(([k, v]) => (Array.isArray(v) ? v.includes(settings[k]!) : settings[k] === v));
}

function applies(a: Pick<ActionSpec, 'when'>, settings: Record<string, FactorValue>): boolean {
  return matches(a.when, settings);
}

function stripWhen(a: ActionSpec): Action {
  const { when: _when, ...rest } = a;
  return rest as Action;
}
