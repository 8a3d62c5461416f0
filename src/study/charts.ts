/**
 * Charts as vega-lite specs, rendered without a browser: vega turns them into SVG in Node, and
 * resvg rasterises the SVG to PNG (with the system's fonts).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Aggregate } from './report.js';

export interface Chart {
  name: string;
  title: string;
  svg: string;
  png: Buffer;
}

function rows(aggs: Aggregate[], value: 'accEval' | 'gap') {
  return aggs.map((a) => ({
    backend: a.backend,
    task: a.task,
    shift: a.shift,
    batch: a.batch,
    policy: a.policy,
    mean: a[value].mean,
    lo: a[value].mean - (a[value].ci95 ?? 0),
    hi: a[value].mean + (a[value].ci95 ?? 0),
  }));
}

function spec(aggs: Aggregate[], value: 'accEval' | 'gap', title: string, yTitle: string): TopLevelSpec {
  const x = { field: 'batch', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'fine-tuning batch size' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows(aggs, value) },
    facet: { row: { field: 'task', type: 'nominal', title: null }, column: { field: 'shift', type: 'nominal', title: 'target shift', sort: ['none', 'mild', 'strong'] } },
    spec: {
      width: 180,
      height: 140,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } }, color: { field: 'policy', type: 'nominal' } } },
        { mark: { type: 'errorbar' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, color: { field: 'policy', type: 'nominal' } } },
      ],
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}

async function render(name: string, title: string, s: TopLevelSpec): Promise<Chart> {
  const view = new vega.View(vega.parse(compile(s).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  return { name, title, svg, png };
}

export async function studyCharts(aggs: Aggregate[]): Promise<Chart[]> {
  const out: Chart[] = [];
  for (const backend of [...new Set(aggs.map((a) => a.backend))]) {
    const mine = aggs.filter((a) => a.backend === backend);
    out.push(await render(`accuracy-${backend}`, `Target test accuracy (eval mode) vs batch size, ${backend}`, spec(mine, 'accEval', `Target accuracy in eval mode (${backend}), mean and 95% CI`, 'accuracy')));
    out.push(await render(`gap-${backend}`, `Train/eval gap vs batch size, ${backend}`, spec(mine, 'gap', `Accuracy with train-mode BN minus eval-mode accuracy (${backend})`, 'train-mode − eval-mode')));
  }
  return out;
}
