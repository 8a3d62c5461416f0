/** Claim verdicts as a table model, and their evidence as lines; pure. */
import type { ClaimResult } from '../claims/evaluate.js';
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
