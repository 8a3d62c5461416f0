/** Renderers for `ftprobe audit`; pure. Modules summarised, tensors with --detail, then warnings and rules. */
import type { AuditReport } from '../audit/run.js';
import { bytes, num } from './format.js';
import { markdownTable } from './markdown.js';
import { table } from './terminal.js';
import type { TableModel } from './survey-table.js';

function modulesTable(r: AuditReport): TableModel {
  return {
    header: ['module', 'tensors', 'changed', 'noise', 'unchanged', 'max|Δ|', 'causes', 'grad bytes', 'wasted grad bytes'],
    rows: r.modules.map((m) => [m.module, String(m.tensors), String(m.changed), String(m.noise), String(m.unchanged), num(m.maxAbsDelta), m.causes.join(', '), bytes(m.gradBytes), m.wastedGradBytes ? bytes(m.wastedGradBytes) : '0']),
  };
}

function tensorsTable(r: AuditReport): TableModel {
  return {
    header: ['tensor', 'kind', 'trainable', 'in optimizer', 'status', 'max|Δ|', 'rel Δ', 'grad', 'cause', 'wasted grad bytes'],
    rows: r.tensors.map((t) => [t.name, t.kind, t.trainable ? 'yes' : 'no', t.kind === 'param' ? (t.inOptimizer ? 'yes' : 'no') : '', t.status, num(t.maxAbsDelta), num(t.relDelta), t.grad, t.causes.join(', '), t.wastedGradBytes ? bytes(t.wastedGradBytes) : '0']),
  };
}

function lines(r: AuditReport): { head: string; warnings: string[]; rules: string[] } {
  const model = 'tfjs' in r.model ? r.model.tfjs : 'torchscript' in r.model ? r.model.torchscript : r.model.python;
  return {
    head: `ftprobe ${r.tool.version} audit · ${model} · ${r.backend.framework} ${r.backend.version} · ${r.recipe.steps} step(s), batch ${r.recipe.batch}, loss ${r.recipe.loss}, zero_grad ${r.recipe.zeroGrad === 'none' ? '(set_to_none=True)' : '(set_to_none=False)'} · wasted gradient bytes per step: ${bytes(r.wastedGradBytesPerStep)}`,
    warnings: r.warnings.flatMap((w) => [`WARNING [${w.code}]: ${w.message}`, `  HINT: ${w.hint}`]),
    rules: r.expectations.flatMap((e) => [`${e.ok ? 'PASS' : 'FAIL'} --expect ${e.rule} (${e.checked} tensors)`, ...e.violations.map((v) => `  ${v.tensor}: ${v.measured}`)]),
  };
}

export function renderAudit(r: AuditReport, format: 'table' | 'markdown' | 'json', opts: { detail?: boolean } = {}): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  const l = lines(r);
  const tables = [modulesTable(r), ...(opts.detail ? [tensorsTable(r)] : [])];
  if (format === 'markdown') {
    return [`## Audit`, '', l.head, '', ...tables.flatMap((t) => [markdownTable(t), '']), ...l.warnings.map((w) => (w.startsWith('  ') ? `  ${w.trim()}` : `- ${w}`)), '', ...l.rules.map((x) => `- ${x.trim()}`), ''].join('\n');
  }
  const out = [l.head];
  for (const t of tables) {
    out.push(table(t));
  }
  if (opts.detail) out.push('code:', ...r.code.map((c) => `  | ${c}`));
  out.push(...l.warnings, ...l.rules);
  return out.join('\n') + '\n';
}
