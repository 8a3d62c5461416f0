/**
 * `ftprobe bench overhead`: what freezing saves, measured. Runs the four configurations on each
 * backend and summarises per configuration (median and range over reps after warm-up) and as
 * ratios against `freeze`, the cheapest way to not train the backbone.
 */
import type { BackendInfo, BackendName, OverheadConfigName, OverheadRequest, OverheadRun, OverheadSample } from '../backends/backend.js';
import { OVERHEAD_CONFIGS } from '../backends/backend.js';
import { resolveBackends } from '../backends/registry.js';
import { PACKAGE_VERSION } from '../paths.js';

export const OVERHEAD_MODELS = ['seed-mlp', 'resnet18', 'resnet50', 'mobilenet_v2'] as const;

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface ConfigSummary {
  config: OverheadConfigName;
  gradBytes: number;
  memBytes: number;
  paramBytes: number;
  gradParams: string[];
  forwardMs: Stat;
  backwardMs: Stat;
  optimizerMs: Stat;
  stepMs: Stat;
}

export interface Ratio {
  of: string;
  measure: 'gradBytes' | 'memBytes' | 'backwardMs' | 'stepMs';
  /** Ratio of medians (bytes: of the values, which do not vary). */
  value: number;
  /** min(a)/max(b) .. max(a)/min(b): the widest ratio the samples allow. */
  low: number;
  high: number;
}

export interface OverheadReport {
  tool: { name: 'ftprobe'; version: string };
  request: Omit<OverheadRequest, 'configs'>;
  runs: ({ backend: BackendInfo; memoryMeasure: string; threads: number | null; notes: string[]; configs: ConfigSummary[]; ratios: Ratio[] } | { backend: BackendInfo; error: { code: string; message: string } })[];
  warnings: string[];
}

export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
}

export function summarize(run: OverheadRun): { configs: ConfigSummary[]; ratios: Ratio[] } {
  const configs = run.configs.map((c): ConfigSummary => {
    const pick = (f: (s: OverheadSample) => number) => stat(c.samples.map(f));
    return {
      config: c.config,
      gradBytes: stat(c.samples.map((s) => s.gradBytes)).median,
      memBytes: stat(c.samples.map((s) => s.memBytes)).median,
      paramBytes: c.paramBytes,
      gradParams: c.gradParams,
      forwardMs: pick((s) => s.forwardMs),
      backwardMs: pick((s) => s.backwardMs),
      optimizerMs: pick((s) => s.optimizerMs),
      stepMs: pick((s) => s.forwardMs + s.backwardMs + s.optimizerMs),
    };
  });
  const by = new Map(configs.map((c) => [c.config, c]));
  const base = by.get('freeze');
  const ratios: Ratio[] = [];
  for (const of of ['not_optimize', 'neither'] as const) {
    const a = by.get(of);
    if (!a || !base) continue;
    for (const measure of ['gradBytes', 'memBytes'] as const) {
      const value = base[measure] ? a[measure] / base[measure] : NaN;
      ratios.push({ of: `${of} / freeze`, measure, value, low: value, high: value });
    }
    for (const measure of ['backwardMs', 'stepMs'] as const) {
      const x = a[measure];
      const y = base[measure];
      ratios.push({ of: `${of} / freeze`, measure, value: x.median / y.median, low: x.min / y.max, high: x.max / y.min });
    }
  }
  return { configs, ratios };
}

export interface BenchOverheadOptions {
  backend?: 'auto' | BackendName[];
  model?: string;
  batch?: number;
  image?: number;
  reps?: number;
  warmup?: number;
  seed?: number;
}

const DEFAULTS = { model: 'seed-mlp', image: 64, reps: 5, warmup: 1, seed: 0 };

export function resolveBenchOptions(o: BenchOverheadOptions): Omit<OverheadRequest, 'configs'> {
  const model = o.model ?? DEFAULTS.model;
  return {
    model,
    batch: o.batch ?? (model === 'seed-mlp' ? 128 : 8),
    image: o.image ?? DEFAULTS.image,
    reps: o.reps ?? DEFAULTS.reps,
    warmup: o.warmup ?? DEFAULTS.warmup,
    seed: o.seed ?? DEFAULTS.seed,
  };
}

export async function benchOverhead(options: BenchOverheadOptions = {}, onProgress?: (line: string) => void): Promise<OverheadReport> {
  const request = resolveBenchOptions(options);
  const { backends, unavailable } = await resolveBackends(options.backend ?? 'auto');
  try {
    const runs: OverheadReport['runs'] = [];
    for (const b of backends) {
      // One configuration per request, so a long run (a resnet on tfjs's cpu fallback) shows progress.
      let merged: OverheadRun | undefined;
      let failed: { code: string; message: string } | undefined;
      for (const [i, config] of OVERHEAD_CONFIGS.entries()) {
        onProgress?.(`bench overhead: ${request.model} on ${b.info.name}: ${config} (${i + 1}/${OVERHEAD_CONFIGS.length})`);
        const r = await b.benchOverhead({ ...request, configs: [config] });
        if (!r.ok) {
          failed = r.error;
          break;
        }
        merged = merged ? { ...merged, configs: [...merged.configs, ...r.run.configs], notes: [...new Set([...merged.notes, ...r.run.notes])] } : r.run;
      }
      runs.push(merged && !failed ? { backend: b.info, memoryMeasure: merged.memoryMeasure, threads: merged.threads, notes: merged.notes, ...summarize(merged) } : { backend: b.info, error: failed ?? { code: 'empty', message: 'no configuration ran' } });
    }
    return { tool: { name: 'ftprobe', version: PACKAGE_VERSION }, request, runs, warnings: unavailable.map((u) => `${u.name} backend unavailable: ${u.reason}. ${u.fix}`) };
  } finally {
    await Promise.all(backends.map((b) => b.dispose()));
  }
}
