/** Markdown renderer: the survey's results-table layout; pure. */
import type { ClaimResult } from '../claims/evaluate.js';
import type { SurveyResult } from '../run/survey.js';
import { adviceFrom, type Advice } from '../claims/advice.js';
import type { ClaimsReport } from '../claims/run.js';
import { adviceGroups, claimsTable, evidenceLines } from './claims.js';
import { backendTag, resultNotes, rowTitle, surveyTable, TENSOR_HEADER, tensorRows, type TableModel } from './survey-table.js';

function escape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function markdownTable(model: TableModel): string {
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [line(model.header), line(model.header.map(() => '---')), ...model.rows.map(line)].join('\n');
}

export function renderClaimsMarkdown(claims: ClaimResult[], opts: { detail?: boolean } = {}): string {
  const out = [markdownTable(claimsTable(claims)), ''];
  if (opts.detail) for (const c of claims) out.push(`**${c.id}**: ${c.text} (${c.reference})`, '', ...evidenceLines(c).map((l) => `- ${l}`), '');
  return out.join('\n');
}

export function renderSurveyMarkdown(result: SurveyResult, opts: { detail?: boolean; claims?: ClaimResult[] } = {}): string {
  const out: string[] = [`## Survey \`${result.survey.name}\``, ''];
  if (result.survey.description) out.push(result.survey.description, '');
  out.push(`Measured with ftprobe ${result.tool.version}, seed ${result.survey.seed}, on ${result.runs.map((r) => `${r.backend.framework} ${r.backend.version} (${r.backend.detail})`).join('; ')}.`, '');
  out.push(markdownTable(surveyTable(result)), '');
  if (result.survey.reference) out.push(`\`#\` and \`matches survey\` compare with the published table (${result.survey.reference}). An outcome is Yes when a selected tensor changed by more than float32 noise.`, '');
  if (opts.detail) {
    for (const run of result.runs) {
      for (const r of run.rows) {
        out.push(`### ${backendTag(run)}: ${rowTitle(result, r)}`, '');
        if (r.state !== 'completed') {
          out.push(`${r.state}: ${r.error?.message ?? r.reason ?? ''}`, '');
          continue;
        }
        out.push('```', ...r.code, '```', '', markdownTable({ header: TENSOR_HEADER, rows: tensorRows(r.tensors) }), '');
      }
    }
  }
  if (opts.claims?.length) out.push('### Claims', '', renderClaimsMarkdown(opts.claims, opts), ...adviceMarkdown(adviceFrom(opts.claims)));
  const notes = resultNotes(result);
  if (notes.length) out.push(...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

function adviceMarkdown(advice: Advice[]): string[] {
  return adviceGroups(advice).flatMap((g) => [`### What to do on ${g.framework}`, '', ...g.items.map((a) => `- ${a.text} _Measured (${a.claim} ${a.verdict}): ${a.measured}_`), '']);
}

export function renderClaimsReportMarkdown(report: ClaimsReport, opts: { detail?: boolean } = {}): string {
  const out = [`## Claims`, '', `Checked with ftprobe ${report.tool.version}.`, '', renderClaimsMarkdown(report.claims, opts), ...adviceMarkdown(report.advice)];
  if (report.warnings.length) out.push(...report.warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}
