import type { ClaimResult } from '../claims/evaluate.js';
import type { SurveyResult } from '../run/survey.js';
import { renderSurveyJson } from './json.js';
import { renderSurveyMarkdown } from './markdown.js';
import { renderSurveyTerminal } from './terminal.js';

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
