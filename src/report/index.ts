import type { ClaimResult } from '../claims/evaluate.js';
import type { SurveyResult } from '../run/survey.js';
import type { ClaimsReport } from '../claims/run.js';
import { claimsJson } from './claims.js';
import { renderSurveyJson } from './json.js';
import { renderClaimsReportMarkdown, renderSurveyMarkdown } from './markdown.js';
import { renderClaimsReportTerminal, renderSurveyTerminal } from './terminal.js';

export const FORMATS = ['table', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  detail?: boolean;
  claims?: ClaimResult[];
}

export function renderSurvey(result: SurveyResult, format: Format, opts: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderSurveyTerminal(result, opts);
    case 'markdown':
      return renderSurveyMarkdown(result, opts);
    case 'json':
      return renderSurveyJson(result, opts);
  }
}
export { renderSurveyJson, renderSurveyMarkdown, renderSurveyTerminal };

export function renderClaims(report: ClaimsReport, format: Format, opts: { detail?: boolean } = {}): string {
  switch (format) {
    case 'table':
      return renderClaimsReportTerminal(report, opts);
    case 'markdown':
      return renderClaimsReportMarkdown(report, opts);
    case 'json':
      return claimsJson(report);
  }
}
