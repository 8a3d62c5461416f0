/** Every claim ftprobe checks, as an explicit list, in report order. */
import type { Claim } from './claim.js';
import { PITFALL_CLAIMS } from './pitfall-claims.js';
import { SURVEY_CLAIMS } from './survey-claims.js';
import { TF_CLAIMS } from './tf.js';

export const CLAIMS: Claim[] = [...SURVEY_CLAIMS, ...TF_CLAIMS, ...PITFALL_CLAIMS];

/** Claims that read only this survey: shown under `ftprobe survey NAME`. */
export function claimsForSurvey(name: string): Claim[] {
  return CLAIMS.filter((c) => c.needs.length === 1 && c.needs[0] === name);
}

/** The surveys a set of claims reads, each once. */
export function surveysFor(claims: Claim[]): string[] {
  return [...new Set(claims.flatMap((c) => c.needs))];
}
