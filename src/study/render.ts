/** Pure renderers of a study result: tables (terminal/Markdown), JSON, and the self-contained HTML report. */
import { markdownTable } from '../report/markdown.js';
import type { TableModel } from '../report/survey-table.js';
import { table } from '../report/terminal.js';
import type { Chart } from './charts.js';
import type { StudySize } from './grid.js';
import type { Aggregate, Finding } from './report.js';

export interface StudyResult {
  tool: { name: 'ftprobe'; version: string };
  study: 'bn-frozen';
  size: StudySize;
  results: Aggregate[];
  findings: Finding[];
  recommendation: string[];
  unsupported: { backend: string; reason: string; cells: number }[];
  errors: { backend: string; key: string; message: string }[];
  computed: number;
  reused: number;
}

const ci = (m: { mean: number; ci95: number | null }) => `${(100 * m.mean).toFixed(1)} ± ${m.ci95 === null ? '-' : (100 * m.ci95).toFixed(1)}`;

export function resultsTable(r: StudyResult): TableModel {
  return {
    header: ['backend', 'task', 'shift', 'batch', 'policy', 'acc eval % (95% CI)', 'acc train-mode %', 'gap pts', 'n', 'BN mode in FT', 'stats moved', 'affine moved'],
    rows: r.results.map((a) => [
      a.backend,
      a.task,
      a.shift,
      String(a.batch),
      a.policy,
      ci(a.accEval),
      ci(a.accTrainMode),
      ci(a.gap),
      String(a.accEval.n),
      a.bnTraining.map((t) => (t ? 'train' : 'eval')).join('/'),
      a.statsChanged ? 'yes' : 'no',
      a.affineChanged ? 'yes' : 'no',
    ]),
  };
}

function notes(r: StudyResult): string[] {
  return [
    ...r.unsupported.map((u) => `${u.backend}: ${u.cells} runs not expressible: ${u.reason}`),
    ...r.errors.map((e) => `${e.backend} ${e.key}: errored: ${e.message}`),
    `${r.computed} runs computed now, ${r.reused} reused from the results store.`,
  ];
}

export function renderStudy(r: StudyResult, format: 'table' | 'markdown' | 'json'): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  const head = `bn-frozen study (${r.size.name}): ${r.size.tasks.join(' + ')} tasks, shifts ${r.size.shifts.join('/')}, batches ${r.size.batches.join('/')}, ${r.size.seeds} seeds, ${r.size.steps} fine-tuning steps`;
  if (format === 'markdown') return [`## ${head}`, '', markdownTable(resultsTable(r)), '', '### Answer', '', ...r.recommendation.map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)), '', ...notes(r).map((n) => `_${n}_`), ''].join('\n');
  return [head, table(resultsTable(r)), '', 'Answer (computed from these results):', ...r.recommendation, '', ...notes(r).map((n) => `note: ${n}`), ''].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderStudyHtml(r: StudyResult, charts: Chart[]): string {
  const t = resultsTable(r);
  const tableHtml = `<table><thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>ftprobe bn-frozen study</title>
<style>body{font-family:DejaVu Sans,sans-serif;max-width:1200px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}li{margin:.2em 0}</style></head><body>
<h1>Should a frozen feature extractor's BN statistics be frozen too?</h1>
<p>ftprobe ${esc(r.tool.version)}, study size <b>${esc(r.size.name)}</b>: ${esc(r.size.tasks.join(' + '))}; target shifts ${esc(r.size.shifts.join(', '))}; batch sizes ${esc(r.size.batches.join(', '))}; ${r.size.seeds} seeds; ${r.size.steps} fine-tuning steps after ${r.size.pretrainSteps} pretraining steps. Accuracy is on the target test set in eval mode; the gap is accuracy with train-mode BN (test batches of the fine-tuning batch size) minus eval-mode accuracy.</p>
<h2>Answer, computed from these results</h2><ul>${r.recommendation.map((l) => `<li>${esc(l.trim())}</li>`).join('')}</ul>
${charts.map((c) => `<h2>${esc(c.title)}</h2>${c.svg}`).join('\n')}
<h2>All cells</h2>${tableHtml}
<ul>${notes(r).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
