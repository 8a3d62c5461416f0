/** JSON renderer: the documented contract (README "JSON contract"); pure. Infinity becomes null. */
import type { SurveyResult } from '../run/survey.js';

export function renderSurveyJson(result: SurveyResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
