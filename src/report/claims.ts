/** Claim verdicts as a table model, and their evidence as lines; pure. */
import type { Advice } from '../claims/advice.js';
import type { ClaimResult } from '../claims/evaluate.js';
import type { ClaimsReport } from '../claims/run.js';
import { num } from './format.js';
import type { TableModel } from './survey-table.js';

export function claimsTable(claims: ClaimResult[]): TableModel {
  return {
    header: ['claim', 'backend', 'verdict', 'measured'],
    rows: claims.flatMap((c) => c.verdicts.map((v) => [c.id, v.frameworkVersion, v.verdict, v.message])),
  };
}

export function evidenceLines(c: ClaimResult): string[] {
  return c.verdicts.flatMap((v) =>
    v.evidence.map(
      (e) =>
        `${v.backend} ${e.survey}[${e.row}]` +
        (e.tensor ? ` ${e.tensor}: ${e.status} max|Δ| ${num(e.maxAbsDelta ?? 0)} rel ${num(e.relDelta ?? 0)} grad ${e.grad}` : '') +
        (e.note ? ` (${e.note})` : ''),
    ),
  );
}

/** "What to do", grouped by framework version: each line is a recommendation and the measurement behind it. */
export function adviceGroups(advice: Advice[]): { framework: string; items: Advice[] }[] {
  const groups = new Map<string, Advice[]>();
  for (const a of advice) groups.set(a.frameworkVersion, [...(groups.get(a.frameworkVersion) ?? []), a]);
  return [...groups].map(([framework, items]) => ({ framework, items }));
}

export function claimsJson(report: ClaimsReport): string {
  const { tool, claims, advice, warnings } = report;
  return JSON.stringify({ tool, claims, advice, warnings }, null, 2) + '\n';
}
