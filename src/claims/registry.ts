/** Every claim ftprobe checks, as an explicit list. */
import type { Claim } from './claim.js';
import { TF_CLAIMS } from './tf.js';

export const CLAIMS: Claim[] = [...TF_CLAIMS];

/** Claims that read only this survey: shown under `ftprobe survey NAME`. */
export function claimsForSurvey(name: string): Claim[] {
  return CLAIMS.filter((c) => c.needs.length === 1 && c.needs[0] === name);
}
