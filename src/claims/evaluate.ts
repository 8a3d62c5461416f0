/** Evaluates claims against survey results, one verdict per backend run. */
import type { BackendInfo } from '../backends/backend.js';
import type { Row, SurveyResult } from '../run/survey.js';
import type { FactorValue } from '../spec/schema.js';
import type { Claim, Verdict } from './claim.js';

export interface ClaimResult {
  id: string;
  text: string;
  source: Claim['source'];
  reference: string;
  verdicts: Verdict[];
}

class MissingRow extends Error {}

export function evaluateClaims(claims: Claim[], results: SurveyResult[]): ClaimResult[] {
  const backends = new Map<string, BackendInfo>();
  for (const r of results) for (const run of r.runs) backends.set(run.backend.name, run.backend);
  return claims.map((claim) => ({
    id: claim.id,
    text: claim.text,
    source: claim.source,
    reference: claim.reference,
    verdicts: [...backends.values()].map((backend) => verdictFor(claim, backend, results)),
  }));
}

function verdictFor(claim: Claim, backend: BackendInfo, results: SurveyResult[]): Verdict {
  const base = { backend: backend.name, frameworkVersion: `${backend.framework} ${backend.version}` };
  if (!claim.appliesTo.includes(backend.name)) return { ...base, verdict: 'n/a', message: claim.notApplicable ?? `not about ${backend.framework}`, evidence: [] };
  const anyRow = (survey: string, settings: Record<string, FactorValue>): Row | undefined => {
    const run = results.find((r) => r.survey.name === survey)?.runs.find((x) => x.backend.name === backend.name);
    return run?.rows.find((r) => Object.entries(settings).every(([k, v]) => r.settings[k] === v));
  };
  const row = (survey: string, settings: Record<string, FactorValue>): Row => {
    const found = anyRow(survey, settings);
    if (!found || found.state !== 'completed') throw new MissingRow(`${survey} ${JSON.stringify(settings)} ${found ? found.state : 'was not run'}`);
    return found;
  };
  try {
    return { ...base, ...claim.evaluate({ backend, row, anyRow }) };
  } catch (err) {
    if (err instanceof MissingRow) return { ...base, verdict: 'n/a', message: `a trial the claim needs did not complete: ${err.message}`, evidence: [] };
    throw err;
  }
}
