/** Expands a survey's factorial design into trials: every combination, first factor varying slowest. */
import type { Action, ActionSpec, FactorValue, SurveySpec, Trial } from './schema.js';

export function expandSurvey(survey: SurveySpec, seed: number = survey.seed): Trial[] {
  const combos = survey.factors.reduce<Record<string, FactorValue>[]>(
    (acc, f) => acc.flatMap((c) => f.values.map((v) => ({ ...c, [f.name]: v }))),
    [{}],
  );
  return combos.map((settings) => ({
    id: survey.factors.length ? survey.factors.map((f) => `${f.name}=${String(settings[f.name])}`).join(',') : 'default',
    settings,
    model: survey.modelWhen.find((v) => applies(v, settings))?.model ?? survey.model,
    data: survey.data,
    seed,
    actions: survey.recipe.filter((a) => applies(a, settings)).map(stripWhen),
  }));
}

function applies(a: Pick<ActionSpec, 'when'>, settings: Record<string, FactorValue>): boolean {
  return Object.entries(a.when ?? {}).every(([k, v]) => settings[k] === v);
}

function stripWhen(a: ActionSpec): Action {
  const { when: _when, ...rest } = a;
  return rest as Action;
}
