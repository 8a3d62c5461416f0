/**
 * A claim is a written statement made executable: an id, the sentence, the survey trials it needs,
 * and a function from measured rows to a verdict with its evidence. Claims read measurements only;
 * what a framework "should" do appears here solely as the statement being tested.
 */
import type { BackendInfo, BackendName } from '../backends/backend.js';
import type { ChangeStatus, TensorReport } from '../measure/diff.js';
import type { Row } from '../run/survey.js';
import type { FactorValue } from '../spec/schema.js';

export type VerdictValue = 'holds' | 'fails' | 'n/a';

/** One measured fact behind a verdict: a row, optionally a tensor with its magnitudes. */
export interface Evidence {
  survey: string;
  row: string;
  tensor?: string;
  status?: ChangeStatus;
  maxAbsDelta?: number;
  relDelta?: number;
  grad?: string;
  note?: string;
}

export interface Verdict {
  backend: BackendName;
  frameworkVersion: string;
  verdict: VerdictValue;
  message: string;
  evidence: Evidence[];
}

export interface ClaimContext {
  backend: BackendInfo;
  /** The completed row of `survey` with these settings; throws when the trial did not complete. */
  row(survey: string, settings: Record<string, FactorValue>): Row;
  /** The row in whatever state it ended (a framework that raised is evidence too); undefined if not run. */
  anyRow(survey: string, settings: Record<string, FactorValue>): Row | undefined;
}

export interface Claim {
  id: string;
  text: string;
  source: 'survey' | 'ftprobe';
  /** Where the framework documents the behaviour the claim is about. */
  reference: string;
  /** Surveys whose trials the claim reads. */
  needs: string[];
  /** Backends the claim is about; others get `n/a` with `notApplicable` as the message. */
  appliesTo: BackendName[];
  notApplicable?: string;
  evaluate(ctx: ClaimContext): Pick<Verdict, 'verdict' | 'message' | 'evidence'>;
}

export function tensorEvidence(survey: string, row: Row, t: TensorReport, note?: string): Evidence {
  return { survey, row: row.id, tensor: t.name, status: t.status, maxAbsDelta: t.maxAbsDelta, relDelta: t.relDelta, grad: t.grad, ...(note && { note }) };
}

/** Row helpers every claim uses: the feature's parameters, its BN running statistics, whether they moved. */
export const featureParams = (r: Row) => r.tensors.filter((t) => t.name.startsWith('feature.') && t.kind === 'param');
export const bnStats = (r: Row) => r.tensors.filter((t) => t.role === 'bn-mean' || t.role === 'bn-var');
export const bnMoved = (r: Row) => bnStats(r).some((t) => t.status === 'changed');
