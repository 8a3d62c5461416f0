import { OVERHEAD_MODELS, benchOverhead } from '../bench/overhead.js';
import { parseBackendChoice } from '../backends/registry.js';
import { FtprobeError, unknownName } from '../errors.js';
import { renderOverhead } from '../report/overhead.js';
import { openOutput } from '../report/writer.js';

export interface BenchCliOptions {
  backend: string;
  model: string;
  batch?: string;
  image?: string;
  reps: string;
  format: 'table' | 'markdown' | 'json';
  out?: string;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new FtprobeError('usage', `${flag} takes a positive integer, got "${v}".`);
  return Number(v);
}

export async function benchOverheadCommand(opts: BenchCliOptions): Promise<number> {
  if (!(OVERHEAD_MODELS as readonly string[]).includes(opts.model)) throw unknownName('usage', 'model', opts.model, OVERHEAD_MODELS);
  const backend = parseBackendChoice(opts.backend);
  const batch = positiveInt('--batch', opts.batch);
  const image = positiveInt('--image', opts.image);
  const reps = positiveInt('--reps', opts.reps);
  const out = openOutput(opts.out);
  const report = await benchOverhead({ backend, model: opts.model, batch, image, reps }, (line) => process.stderr.write(line + '\n'));
  out.write(renderOverhead(report, opts.format));
  return report.runs.some((r) => 'error' in r) ? 1 : 0;
}
