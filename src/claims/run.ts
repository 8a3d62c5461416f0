/**
 * Runs what a set of claims needs and evaluates them: each survey they read runs once per backend
 * (one backend instance, so one torch worker, for all of them), so a trial shared by several claims
 * runs once.
 */
import type { BackendName } from '../backends/backend.js';
import { resolveBackends } from '../backends/registry.js';
import { PACKAGE_VERSION } from '../paths.js';
import { runSurvey, type ProgressEvent, type SurveyResult } from '../run/survey.js';
import { adviceFrom, type Advice } from './advice.js';
import type { Claim } from './claim.js';
import { evaluateClaims, type ClaimResult } from './evaluate.js';
import { CLAIMS, surveysFor } from './registry.js';

export interface ClaimsReport {
  tool: { name: 'ftprobe'; version: string };
  claims: ClaimResult[];
  advice: Advice[];
  warnings: string[];
}

export interface RunClaimsOptions {
  backend?: 'auto' | BackendName[];
  claims?: Claim[];
  onTrialStart?: (e: ProgressEvent & { survey: string }) => void;
}

export async function runClaims(options: RunClaimsOptions = {}): Promise<ClaimsReport & { results: SurveyResult[] }> {
  const claims = options.claims ?? CLAIMS;
  const { backends, unavailable } = await resolveBackends(options.backend ?? 'auto');
  try {
    const results: SurveyResult[] = [];
    for (const survey of surveysFor(claims)) {
      results.push(await runSurvey(survey, { backends, onTrialStart: (e) => options.onTrialStart?.({ ...e, survey }) }));
    }
    const evaluated = evaluateClaims(claims, results);
    return {
      tool: { name: 'ftprobe', version: PACKAGE_VERSION },
      claims: evaluated,
      advice: adviceFrom(evaluated),
      warnings: unavailable.map((u) => `${u.name} backend unavailable: ${u.reason}. ${u.fix}`),
      results,
    };
  } finally {
    await Promise.all(backends.map((b) => b.dispose()));
  }
}
