/**
 * One test body, every backend (after tfjs-layers' describeMathCPUAndGPU). Backends are opened once
 * per test file. A torch that cannot be found skips the torch suites, unless FTPROBE_REQUIRE_TORCH=1
 * (CI sets it), which turns the skip into a failure.
 */
import { after, describe } from 'node:test';
import type { Backend, BackendName } from '../src/backends/backend.js';
import { BACKENDS, BACKEND_NAMES } from '../src/backends/registry.js';

const opened = new Map<BackendName, Backend>();
const missing = new Map<BackendName, string>();
for (const name of BACKEND_NAMES) {
  const r = await BACKENDS[name]();
  if (r.ok) opened.set(name, r.backend);
  else missing.set(name, `${r.reason}. ${r.fix}`);
}
after(() => Promise.all([...opened.values()].map((b) => b.dispose())));

export const requireTorch = process.env.FTPROBE_REQUIRE_TORCH === '1';

export function backend(name: BackendName): Backend {
  const b = opened.get(name);
  if (!b) throw new Error(`${name} backend unavailable: ${missing.get(name)}`);
  return b;
}

/** Skip reason for a backend's suite, or false to run it (a missing torch fails under FTPROBE_REQUIRE_TORCH=1). */
export function skipReason(name: BackendName): string | false {
  if (opened.has(name) || (name === 'torch' && requireTorch)) return false;
  return `${name} unavailable: ${missing.get(name)}`;
}

export function describeBackend(name: BackendName, title: string, body: (b: () => Backend) => void): void {
  describe(`${title} [${name}]`, { skip: skipReason(name) }, () => body(() => backend(name)));
}

export function describeEachBackend(title: string, body: (b: () => Backend, name: BackendName) => void, names: BackendName[] = BACKEND_NAMES): void {
  for (const name of names) describeBackend(name, title, (b) => body(b, name));
}
