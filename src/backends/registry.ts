/**
 * The backends that exist, as an explicit map (grep finds them all), and their resolution:
 * `auto` takes every available one and says why the others are not; a named one must be available.
 */
import { FtprobeError, unknownName } from '../errors.js';
import type { Backend, BackendName, BackendResolution } from './backend.js';

// Imported on first use: loading @tensorflow/tfjs costs ~0.4 s, which a torch-only run should not pay.
export const BACKENDS: Record<BackendName, () => Promise<BackendResolution>> = {
  torch: async () => (await import('./torch/index.js')).createTorchBackend(),
  tfjs: async () => (await import('./tfjs/index.js')).createTfjsBackend(),
};
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];
export const BACKEND_CHOICES = ['auto', 'all', ...BACKEND_NAMES];

export interface Resolved {
  backends: Backend[];
  /** Backends `auto` left out, with the reason and the fix: shown to the user as one line each. */
  unavailable: { name: BackendName; reason: string; fix: string }[];
}

/** Parses `auto`, `all`, or a comma-separated list of backend names. */
export function parseBackendChoice(choice: string): 'auto' | BackendName[] {
  if (choice === 'auto') return 'auto';
  if (choice === 'all') return [...BACKEND_NAMES];
  const names = choice.split(',').map((s) => s.trim());
  for (const n of names) if (!(n in BACKENDS)) throw unknownName('unknown-backend', 'backend', n, BACKEND_CHOICES);
  return names as BackendName[];
}

export async function resolveBackends(choice: 'auto' | BackendName[]): Promise<Resolved> {
  const names = choice === 'auto' ? BACKEND_NAMES : choice;
  const results = await Promise.all(names.map((n) => BACKENDS[n]()));
  const backends = results.flatMap((r) => (r.ok ? [r.backend] : []));
  const unavailable = results.flatMap((r) => (r.ok ? [] : [{ name: r.name, reason: r.reason, fix: r.fix }]));
  if (choice !== 'auto' && unavailable.length) {
    await Promise.all(backends.map((b) => b.dispose()));
    const u = unavailable[0]!;
    throw new FtprobeError('backend-unavailable', `${backendLabel(u.name)} backend unavailable: ${u.reason}. ${u.fix}`);
  }
  if (!backends.length) throw new FtprobeError('backend-unavailable', unavailable.map((u) => `${u.name}: ${u.reason}. ${u.fix}`).join(' '));
  return { backends, unavailable };
}

export function backendLabel(name: BackendName): string {
  return name === 'torch' ? 'PyTorch' : 'TensorFlow.js';
}
