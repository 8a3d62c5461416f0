/**
 * The one place that decides file vs stdout. An --out file is opened (created) before any trial
 * runs, so a bad path fails in the first second; it is rewritten after every trial, so an
 * interrupted run leaves every result measured so far on disk.
 */
import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { FtprobeError } from '../errors.js';

export interface Output {
  /** Replace the whole output with `text` (atomically for files). */
  write(text: string): void;
  readonly path: string | null;
}

export function openOutput(path: string | undefined): Output {
  if (!path || path === '-') return { path: null, write: (text) => void process.stdout.write(text) };
  try {
    closeSync(openSync(path, 'a'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FtprobeError('bad-out', `Cannot write --out ${path}: ${e.code ?? e.message}. Choose a path in an existing, writable folder.`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.partial`);
  return {
    path,
    write(text) {
      // Write then rename: a reader (or a kill -9 mid-write) never sees half a file.
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    },
  };
}
