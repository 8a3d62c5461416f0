/**
 * Per-tensor change classification, the same for every backend.
 *
 * - `unchanged`: every byte is identical.
 * - `noise`: some bytes differ, but relDelta <= NOISE_REL_THRESHOLD, i.e. the largest element
 *   change is at most 4 float32 machine epsilons (4 * 2^-23 ~ 4.8e-7) of the tensor's scale. That
 *   is what rounding-order differences and sub-ulp updates produce, and no more.
 * - `changed`: anything larger; for integer tensors (num_batches_tracked) any difference.
 */
import type { DType, GradData, TensorData, TensorKind, TensorRole } from '../backends/backend.js';
import type { Cause } from './cause.js';

export const FLOAT32_EPS = 2 ** -23;
export const NOISE_REL_THRESHOLD = 4 * FLOAT32_EPS;

export type ChangeStatus = 'unchanged' | 'noise' | 'changed';
export type GradState = 'none' | 'zero' | 'nonzero';
/**
 * Whether a non-zero float32 gradient is real: `roundoff` when it differs from the framework's own
 * float64 replay of the same step by at least half its size, i.e. it is mostly cancellation
 * residue (a real gradient agrees with its float64 replay to ~1e-6). null: not checked.
 */
export type GradPrecision = 'real' | 'roundoff' | null;
export const ROUNDOFF_FRACTION = 0.5;

export interface TensorChange {
  status: ChangeStatus;
  /** Largest |after - before| over elements; 0 means bit-identical. */
  maxAbsDelta: number;
  /** maxAbsDelta / max(|before|, |after|) over the tensor (0 when both are all zero); dimensionless. */
  relDelta: number;
  /** How many elements differ at all. */
  changedElements: number;
  numel: number;
}

export interface TensorReport extends TensorChange {
  name: string;
  kind: TensorKind;
  role: TensorRole;
  /** The framework's trainable flag at the end of the trial. */
  trainable: boolean;
  shape: number[];
  dtype: DType;
  grad: GradState;
  /** Bytes of the gradient tensor the framework allocated; 0 when there is none. */
  gradBytes: number;
  /** Largest |gradient| element; 0 for none or zero. */
  gradMaxAbs: number;
  gradPrecision: GradPrecision;
  /** Largest |gradient| of the float64 replay; null when not replayed. */
  gradMaxAbs64: number | null;
  /** Why it changed, measured per record (see measure/cause.ts); empty when unchanged. */
  causes: Cause[];
}

type Numeric = Float32Array | Float64Array | BigInt64Array | Int32Array;

export function values(t: { dtype: DType; data: Uint8Array }): Numeric {
  // Typed arrays need an aligned offset; decoded base64 buffers may not have one.
  const bytes = t.data.byteOffset % 8 === 0 ? t.data : t.data.slice();
  const { buffer, byteOffset, byteLength } = bytes;
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'int32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function diffTensor(before: Pick<TensorData, 'dtype' | 'data'>, after: Pick<TensorData, 'dtype' | 'data'>): TensorChange {
  const a = values(before);
  const b = values(after);
  if (a.length !== b.length) throw new Error(`tensor size changed from ${a.length} to ${b.length} elements`);
  const numel = a.length;
  if (bytesEqual(before.data, after.data)) return { status: 'unchanged', maxAbsDelta: 0, relDelta: 0, changedElements: 0, numel };
  let maxAbsDelta = 0;
  let scale = 0;
  let changedElements = 0;
  let nonFinite = false;
  for (let i = 0; i < numel; i++) {
    const x = Number(a[i]!);
    const y = Number(b[i]!);
    if (!Object.is(x, y)) changedElements++;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      nonFinite ||= !Object.is(x, y);
      continue;
    }
    maxAbsDelta = Math.max(maxAbsDelta, Math.abs(y - x));
    scale = Math.max(scale, Math.abs(x), Math.abs(y));
  }
  const relDelta = nonFinite ? Infinity : scale === 0 ? 0 : maxAbsDelta / scale;
  const integer = before.dtype === 'int64' || before.dtype === 'int32';
  const status: ChangeStatus = !integer && !nonFinite && relDelta <= NOISE_REL_THRESHOLD ? 'noise' : 'changed';
  return { status, maxAbsDelta, relDelta, changedElements, numel };
}

type GradFields = Pick<TensorReport, 'grad' | 'gradBytes' | 'gradMaxAbs' | 'gradPrecision' | 'gradMaxAbs64'>;
const NO_GRAD: GradFields = { grad: 'none', gradBytes: 0, gradMaxAbs: 0, gradPrecision: null, gradMaxAbs64: null };

export function gradSummary(g: GradData | undefined): GradFields {
  if (!g?.grad) return NO_GRAD;
  const g32 = values(g.grad);
  let maxAbs = 0;
  for (const v of g32) maxAbs = Math.max(maxAbs, Math.abs(Number(v)));
  const summary: GradFields = { grad: maxAbs === 0 ? 'zero' : 'nonzero', gradBytes: g.grad.data.byteLength, gradMaxAbs: maxAbs, gradPrecision: null, gradMaxAbs64: null };
  if (g.reference64) {
    const g64 = values(g.reference64);
    let maxAbs64 = 0;
    let maxErr = 0;
    for (let i = 0; i < g32.length; i++) {
      const r = Number(g64[i]!);
      maxAbs64 = Math.max(maxAbs64, Math.abs(r));
      maxErr = Math.max(maxErr, Math.abs(Number(g32[i]!) - r));
    }
    summary.gradMaxAbs64 = maxAbs64;
    if (maxAbs > 0) summary.gradPrecision = maxErr >= ROUNDOFF_FRACTION * maxAbs ? 'roundoff' : 'real';
  }
  return summary;
}

/** Every tensor of `initial`, compared with `final`, with the gradients of the last step. */
export function reportTensors(initial: TensorData[], final: TensorData[], grads: GradData[]): TensorReport[] {
  const after = new Map(final.map((t) => [t.name, t]));
  const gradOf = new Map(grads.map((g) => [g.name, g]));
  return initial.map((t) => {
    const f = after.get(t.name);
    if (!f) throw new Error(`tensor ${t.name} is missing after the trial`);
    return {
      name: t.name,
      kind: t.kind,
      role: t.role,
      trainable: f.trainable,
      shape: t.shape,
      dtype: t.dtype,
      ...diffTensor(t, f),
      ...(t.kind === 'param' ? gradSummary(gradOf.get(t.name)) : NO_GRAD),
      causes: [],
    };
  });
}
