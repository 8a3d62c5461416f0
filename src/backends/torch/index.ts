/**
 * The PyTorch backend: a client of one persistent Python worker that runs real torch.
 *
 * Python is chosen once: FTPROBE_PYTHON if set, else the first of `python3` and `/usr/bin/python3`
 * whose worker can import torch (a pyenv `python3` on PATH often lacks the Debian torch that
 * `/usr/bin/python3` has). Starting the worker is the probe, so torch is imported once, not twice.
 */
import type { Trial } from '../../spec/schema.js';
import type { Backend, BackendInfo, BackendResolution, DType, GradData, OptimizerView, OverheadConfig, OverheadOutcome, OverheadRequest, OverheadRun, OverheadSample, RawTensor, StudyRunOutcome, StudyRunRequest, StudyRunResult, StepRecord, TensorData, TrialOutcome } from '../backend.js';
import { defaultPythons } from './pythons.js';
import { TorchWorker } from './worker.js';

export interface TorchOptions {
  /** Python executables to try, in order; defaults from FTPROBE_PYTHON or python3, /usr/bin/python3. */
  pythons?: string[];
  /** Per-trial request timeout. */
  requestTimeoutMs?: number;
  startTimeoutMs?: number;
}

const DEFAULTS = { requestTimeoutMs: 300_000, startTimeoutMs: 60_000 };
type ResolvedTorchOptions = Required<TorchOptions>;

/** Fills every option once; an option given as undefined takes its default. */
function resolveOptions(o: TorchOptions): ResolvedTorchOptions {
  return {
    pythons: o.pythons ?? defaultPythons(),
    requestTimeoutMs: o.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    startTimeoutMs: o.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
  };
}

export const TORCH_FIX = 'Install it with "apt-get install python3-torch" or set FTPROBE_PYTHON to a python that has torch.';

export { defaultPythons } from './pythons.js';

export async function createTorchBackend(options: TorchOptions = {}): Promise<BackendResolution> {
  const opts = resolveOptions(options);
  const reasons: string[] = [];
  for (const python of opts.pythons) {
    const started = await TorchWorker.start(python, opts.startTimeoutMs);
    if (started.ok) return { ok: true, backend: new TorchBackend(started.worker, opts) };
    reasons.push(started.code === 'not-found' ? `${python} not found` : started.reason);
  }
  return { ok: false, name: 'torch', reason: reasons.join('; '), fix: TORCH_FIX };
}

interface WireTensor {
  name: string;
  kind: 'param' | 'buffer';
  role: TensorData['role'];
  trainable: boolean;
  shape: number[];
  dtype: string;
  data: string;
}
type WireRaw = Omit<WireTensor, 'name' | 'kind' | 'role' | 'trainable'>;
interface WireResult {
  code: string[];
  initial: WireTensor[];
  steps: {
    index: number;
    action: string;
    loss: number | null;
    optimized: string[] | null;
    optimizer?: Record<string, OptimizerView>;
    modes: Record<string, boolean>;
    grads: { name: string; requiresGrad: boolean; grad: WireRaw | null; reference64?: WireRaw | null }[];
    after: WireTensor[];
  }[];
}

export class TorchBackend implements Backend {
  readonly info: BackendInfo;

  constructor(
    private worker: TorchWorker,
    private readonly options: ResolvedTorchOptions,
  ) {
    const r = worker.ready!;
    this.info = {
      name: 'torch',
      framework: 'PyTorch',
      version: r.torch,
      device: r.device,
      detail: `${r.executable} (Python ${r.python}), ${r.threads} thread(s)`,
    };
  }

  /** The worker's process id, for diagnostics and fault-injection tests. */
  get workerPid(): number | undefined {
    return this.worker.alive ? this.worker.pid : undefined;
  }

  async runTrial(trial: Trial): Promise<TrialOutcome> {
    // The previous trial may have killed or hung the worker: then a fresh one starts with the same Python.
    if (!(await this.ensureWorker())) return { state: 'errored', error: { code: 'worker-restart', message: `${this.worker.python} could not start a new torch worker` } };
    const reply = await this.worker.request('run_trial', trial, this.options.requestTimeoutMs);
    if (!reply.ok) return reply.error.code === 'unsupported' ? { state: 'skipped', reason: reply.error.message } : { state: 'errored', error: reply.error };
    const r = reply.result as WireResult;
    return {
      state: 'completed',
      measurement: {
        code: r.code,
        initial: r.initial.map(decodeTensor),
        steps: r.steps.map(
          (s): StepRecord => ({
            index: s.index,
            action: s.action,
            loss: s.loss ?? NaN,
            optimized: s.optimized,
            ...(s.optimizer && { optimizer: s.optimizer }),
            modes: s.modes,
            grads: s.grads.map(
              (g): GradData => ({
                name: g.name,
                requiresGrad: g.requiresGrad,
                grad: g.grad && decodeRaw(g.grad),
                ...(g.reference64 !== undefined && { reference64: g.reference64 && decodeRaw(g.reference64) }),
              }),
            ),
            after: s.after.map(decodeTensor),
          }),
        ),
        notes: [],
      },
    };
  }

  async benchOverhead(req: OverheadRequest): Promise<OverheadOutcome> {
    if (!(await this.ensureWorker())) return { ok: false, error: { code: 'worker-restart', message: 'torch worker could not be restarted' } };
    const reply = await this.worker.request('bench_overhead', req, this.options.requestTimeoutMs);
    if (!reply.ok) return reply;
    const r = reply.result as Omit<OverheadRun, 'configs'> & {
      configs: (Omit<OverheadConfig, 'samples'> & { samples: (Omit<OverheadSample, 'memBytes'> & { savedBytes: number })[] })[];
    };
    // torch's extra memory: what autograd saved for backward plus the gradients themselves.
    const configs = r.configs.map((c) => ({ ...c, samples: c.samples.map(({ savedBytes, ...s }) => ({ ...s, memBytes: savedBytes + s.gradBytes })) }));
    return { ok: true, run: { ...r, configs } };
  }

  async studyRun(req: StudyRunRequest): Promise<StudyRunOutcome> {
    if (!(await this.ensureWorker())) return { ok: false, unsupported: false, error: { code: 'worker-restart', message: 'torch worker could not be restarted' } };
    const reply = await this.worker.request('study_run', req, this.options.requestTimeoutMs);
    return reply.ok ? { ok: true, result: reply.result as StudyRunResult } : { ok: false, unsupported: false, error: reply.error };
  }

  /** Wall times of plain training steps, for bench/tfjs-vs-torch (no ftprobe measurement in the loop). */
  async timeSteps(model: 'seed-mlp' | 'small-cnn', batch: number, steps: number): Promise<{ stepMs: number[]; threads: number }> {
    if (!(await this.ensureWorker())) throw new Error('torch worker could not be restarted');
    const reply = await this.worker.request('time_steps', { model, batch, steps }, this.options.requestTimeoutMs);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result as { stepMs: number[]; threads: number };
  }

  /** Starts a fresh worker when the previous one died or was killed; false when that fails. */
  private async ensureWorker(): Promise<boolean> {
    if (this.worker.alive) return true;
    const restarted = await TorchWorker.start(this.worker.python, this.options.startTimeoutMs);
    if (!restarted.ok) return false;
    this.worker = restarted.worker;
    return true;
  }

  async dispose(): Promise<void> {
    await this.worker.shutdown();
  }
}

function decodeRaw(t: WireRaw): RawTensor {
  const buf = Buffer.from(t.data, 'base64');
  return { shape: t.shape, dtype: t.dtype as DType, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

function decodeTensor(t: WireTensor): TensorData {
  return { name: t.name, kind: t.kind, role: t.role, trainable: t.trainable, ...decodeRaw(t) };
}
