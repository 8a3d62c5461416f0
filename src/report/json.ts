/** JSON renderer: the documented contract (README "JSON contract"); pure. Infinity becomes null. */
import type { ClaimResult } from '../claims/evaluate.js';
import type { SurveyResult } from '../run/survey.js';

/** The survey result, with `claims` (the verdicts that read only this survey) when there are any. */
export function renderSurveyJson(result: SurveyResult, opts: { claims?: ClaimResult[] } = {}): string {
  return JSON.stringify(opts.claims?.length ? { ...result, claims: opts.claims } : result, null, 2) + '\n';
}
