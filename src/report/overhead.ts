/** Renderers for `ftprobe bench overhead`: one table model, written as terminal, Markdown or JSON; pure. */
import type { OverheadReport, Stat } from '../bench/overhead.js';
import { bytes } from './format.js';
import { markdownTable } from './markdown.js';
import { table } from './terminal.js';
import type { TableModel } from './survey-table.js';

const ms = (s: Stat) => `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;

function tables(report: OverheadReport): { title: string; table: TableModel; ratios: TableModel | null; notes: string[] }[] {
  return report.runs.map((run) => {
    const title = `${run.backend.framework} ${run.backend.version} (${run.backend.detail}) · ${report.request.model}, batch ${report.request.batch}${report.request.model === 'seed-mlp' ? '' : `, ${report.request.image}×${report.request.image}`}, ${report.request.reps} reps after ${report.request.warmup} warm-up`;
    if ('error' in run) return { title, table: { header: ['error'], rows: [[run.error.message]] }, ratios: null, notes: [] };
    return {
      title,
      table: {
        header: ['config', 'grad bytes', 'extra memory', 'forward ms', 'backward ms', 'optimizer ms', 'step ms'],
        rows: run.configs.map((c) => [c.config, bytes(c.gradBytes), bytes(c.memBytes), ms(c.forwardMs), ms(c.backwardMs), ms(c.optimizerMs), ms(c.stepMs)]),
      },
      ratios: {
        header: ['ratio', 'grad bytes', 'extra memory', 'backward time', 'step time'],
        rows: [...new Set(run.ratios.map((r) => r.of))].map((of) => {
          const get = (m: string) => run.ratios.find((r) => r.of === of && r.measure === m)!;
          const t = (m: string) => `${get(m).value.toFixed(2)}× [${get(m).low.toFixed(2)}–${get(m).high.toFixed(2)}]`;
          return [of, `${get('gradBytes').value.toFixed(2)}×`, `${get('memBytes').value.toFixed(2)}×`, t('backwardMs'), t('stepMs')];
        }),
      },
      notes: [`times: median [min–max]; extra memory: ${run.memoryMeasure}${run.threads ? `; ${run.threads} thread(s)` : ''}`, ...run.notes.map((n) => `note: ${n}`)],
    };
  });
}

export function renderOverhead(report: OverheadReport, format: 'table' | 'markdown' | 'json'): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  const out: string[] = [];
  for (const t of tables(report)) {
    if (format === 'markdown') {
      out.push(`### ${t.title}`, '', markdownTable(t.table), '');
      if (t.ratios) out.push(markdownTable(t.ratios), '');
      out.push(...t.notes.map((n) => `_${n}_`), '');
    } else {
      out.push(t.title);
      for (const m of [t.table, t.ratios]) {
        if (!m) continue;
        out.push(table(m));
      }
      out.push(...t.notes, '');
    }
  }
  out.push(...report.warnings.map((w) => `note: ${w}`));
  return out.join('\n') + '\n';
}
