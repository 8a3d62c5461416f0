/**
 * The table model of a survey result, shared by the terminal and Markdown renderers: they differ
 * only in how a row is written. Columns: survey row, factor settings, then per backend its outcome
 * columns and whether the row matches the survey's published table.
 */
import type { TensorReport } from '../measure/diff.js';
import type { Row, SurveyResult } from '../run/survey.js';
import { bytes, num, yesNo } from './format.js';

export interface TableModel {
  header: string[];
  rows: string[][];
}

export function backendTag(run: SurveyResult['runs'][number]): string {
  return `${run.backend.name} ${run.backend.version}`;
}

export function surveyTable(result: SurveyResult): TableModel {
  const { factors, outcomes } = result.survey;
  const hasRef = result.survey.reference !== null;
  const many = result.runs.length > 1;
  const header = ['#', ...factors.map((f) => f.label)];
  for (const run of result.runs) {
    const tag = many ? ` (${run.backend.name})` : '';
    header.push(...outcomes.map((o) => o.label + tag));
    if (hasRef) header.push('matches survey' + tag);
  }
  const first = result.runs[0]?.rows ?? [];
  const rows = first.map((r0, i) => {
    const cells = [r0.seedRow === null ? '-' : String(r0.seedRow), ...factors.map((f) => cell(r0.settings[f.name]))];
    for (const run of result.runs) {
      const r = run.rows[i];
      if (!r || r.state !== 'completed' || !r.outcome) {
        const label = !r ? 'pending' : r.error?.code === 'framework-error' ? 'raised' : r.state;
        cells.push(...outcomes.map(() => label));
        if (hasRef) cells.push('-');
        continue;
      }
      // A true outcome shows its measured causes when they say more than "a gradient step".
      cells.push(...outcomes.map((o) => yesNo(r.outcome![o.name]) + causeSuffix(r.outcomeCauses[o.name])));
      if (hasRef) cells.push(r.matchesSeed === null ? '-' : r.matchesSeed ? 'yes' : 'NO');
    }
    return cells;
  });
  return { header, rows };
}

/** Causes worth a mention: anything beyond the ordinary mechanisms (a gradient step, a BN forward pass). */
function causeSuffix(causes: string[] | undefined): string {
  return causes?.some((c) => c !== 'gradient' && c !== 'bn-forward') ? ` (${causes.join(', ')})` : '';
}

function cell(v: unknown): string {
  return typeof v === 'boolean' ? yesNo(v) : String(v);
}

export const TENSOR_HEADER = ['tensor', 'kind', 'status', 'max|Δ|', 'rel Δ', 'grad', 'max|grad|', 'max|grad| f64', 'grad bytes', 'cause'];

export function tensorRows(tensors: TensorReport[]): string[][] {
  return tensors.map((t) => [
    t.name,
    t.kind,
    t.status,
    num(t.maxAbsDelta),
    num(t.relDelta),
    t.gradPrecision === 'roundoff' ? 'roundoff' : t.grad,
    t.kind === 'param' ? num(t.gradMaxAbs) : '',
    t.gradMaxAbs64 === null ? '' : num(t.gradMaxAbs64),
    t.gradBytes ? bytes(t.gradBytes) : '0',
    t.causes.join(', '),
  ]);
}

/** One line naming what a row's trial did; used as the heading of its detail block. */
export function rowTitle(result: SurveyResult, r: Row): string {
  const settings = result.survey.factors.map((f) => `${f.label}=${cell(r.settings[f.name])}`).join(' ');
  return `${r.seedRow === null ? '' : `survey row ${r.seedRow}: `}${settings}`;
}

/** Caveats collected from the run: unavailable backends, trial notes, errors and skips, as lines. */
export function resultNotes(result: SurveyResult): string[] {
  const lines = [...result.warnings];
  for (const run of result.runs) {
    const skips = new Map<string, string[]>();
    for (const r of run.rows) {
      if (r.state === 'errored') lines.push(`${run.backend.name} ${r.id}: ${r.error?.code === 'framework-error' ? `${run.backend.framework} raised` : 'errored'}: ${r.error?.message ?? ''}`);
      if (r.state === 'skipped') skips.set(r.reason ?? '', [...(skips.get(r.reason ?? '') ?? []), r.id]);
    }
    // One line per skip reason: a survey a backend cannot run skips every row for the same reason.
    for (const [reason, ids] of skips) lines.push(`${run.backend.name}: ${ids.length === run.rows.length ? 'all rows' : ids.join('; ')} skipped: ${reason}`);
    const notes = new Set(run.rows.flatMap((r) => r.notes));
    for (const n of notes) lines.push(`${run.backend.name}: ${n}`);
  }
  if (!result.complete) lines.push('This result is partial: the run did not finish.');
  return lines;
}
