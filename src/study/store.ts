/**
 * The results store: one JSON object per line (JSONL), appended and fsync'ed as each run finishes.
 * Chosen over SQLite because a line is written in one append, a kill -9 can at worst leave a
 * truncated last line (skipped on reading), the file diffs and greps, and it needs no native module.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { StudyRunResult } from '../backends/backend.js';
import type { Cell } from './grid.js';

/** One finished run: where it ran, its cell of the design, and what the backend measured. */
export type StoredRun = { key: string; backend: string; frameworkVersion: string } & Cell & StudyRunResult;

export function readStore(path: string): StoredRun[] {
  if (!existsSync(path)) return [];
  const out: StoredRun[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StoredRun);
    } catch {
      // A line cut short by a kill: that run did not finish and will be run again.
    }
  }
  return out;
}

export class Store {
  private readonly fd: number;
  constructor(readonly path: string) {
    // A kill mid-write can leave a last line without its newline: end it, so the next run's line stays whole.
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const torn = text.length > 0 && !text.endsWith('\n');
    this.fd = openSync(path, 'a');
    if (torn) writeSync(this.fd, '\n');
  }
  append(run: StoredRun): void {
    writeSync(this.fd, JSON.stringify(run) + '\n');
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}
