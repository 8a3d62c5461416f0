/** Terminal renderer: cli-table3 tables; pure (returns the text, does no I/O). */
import Table from 'cli-table3';
import type { ClaimResult } from '../claims/evaluate.js';
import type { SurveyResult } from '../run/survey.js';
import { adviceFrom, type Advice } from '../claims/advice.js';
import type { ClaimsReport } from '../claims/run.js';
import { adviceGroups, claimsTable, evidenceLines } from './claims.js';
import { backendTag, resultNotes, rowTitle, surveyTable, TENSOR_HEADER, tensorRows, type TableModel } from './survey-table.js';

// No rule between body rows: the tables are read row by row, and rules double their height.
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** Every terminal table of ftprobe, in one style. */
export function table(model: TableModel): string {
  const t = new Table({ head: model.header, style: { head: [], border: [] }, chars: COMPACT });
  t.push(...model.rows);
  return t.toString();
}

export function renderClaimsTerminal(claims: ClaimResult[], opts: { detail?: boolean } = {}): string {
  const t = new Table({ head: claimsTable(claims).header, style: { head: [], border: [] }, chars: COMPACT, colWidths: [34, 22, 9, 90], wordWrap: true });
  t.push(...claimsTable(claims).rows);
  const out = [t.toString()];
  if (opts.detail) for (const c of claims) out.push(`${c.id}: ${c.text}`, `  reference: ${c.reference}`, ...evidenceLines(c).map((l) => `  - ${l}`));
  return out.join('\n') + '\n';
}

export function renderSurveyTerminal(result: SurveyResult, opts: { detail?: boolean; claims?: ClaimResult[] } = {}): string {
  const out: string[] = [];
  out.push(`ftprobe ${result.tool.version} · survey "${result.survey.name}" · seed ${result.survey.seed} · ${result.runs.map((r) => `${r.backend.framework} ${r.backend.version} (${r.backend.detail})`).join(', ')}`);
  out.push(table(surveyTable(result)));
  if (result.survey.reference) out.push(`"#" and "matches survey": the published table, ${result.survey.reference}. Outcomes count "changed" tensors only, not float noise.`);
  if (opts.detail) {
    for (const run of result.runs) {
      for (const r of run.rows) {
        out.push('', `[${backendTag(run)}] ${rowTitle(result, r)}`);
        if (r.state !== 'completed') {
          out.push(`  ${r.state}: ${r.error?.message ?? r.reason ?? ''}`);
          continue;
        }
        out.push(...r.code.map((l) => `  | ${l}`));
        out.push(table({ header: TENSOR_HEADER, rows: tensorRows(r.tensors) }));
      }
    }
  }
  if (opts.claims?.length) out.push('', 'Claims checked on this run:', renderClaimsTerminal(opts.claims, opts).trimEnd(), ...adviceLines(adviceFrom(opts.claims)));
  const notes = resultNotes(result);
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  return out.join('\n') + '\n';
}

function adviceLines(advice: Advice[]): string[] {
  return adviceGroups(advice).flatMap((g) => ['', `What to do on ${g.framework} (from the verdicts above):`, ...g.items.flatMap((a) => [`- ${a.text}`, `    measured (${a.claim} ${a.verdict}): ${a.measured}`])]);
}

export function renderClaimsReportTerminal(report: ClaimsReport, opts: { detail?: boolean } = {}): string {
  const out = [`ftprobe ${report.tool.version} · ${report.claims.length} claims`, renderClaimsTerminal(report.claims, opts).trimEnd(), ...adviceLines(report.advice)];
  if (report.warnings.length) out.push('', ...report.warnings.map((w) => `note: ${w}`));
  return out.join('\n') + '\n';
}
