/**
 * The TypeScript side of the torch worker protocol (python/ftprobe_worker/protocol.py).
 *
 * One Python process per run, reused for every trial. Every request carries an id and a timeout;
 * stdout carries JSON lines only and stderr is kept as a ring of its last lines, which every
 * failure quotes. A worker that exits or hangs fails its pending requests with a value, never an
 * exception, and is killed: no process outlives the run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON_DIR } from '../../paths.js';

export interface WorkerReady {
  torch: string;
  python: string;
  executable: string;
  device: string;
  threads: number;
}

export type WorkerReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: string; message: string } };

export type WorkerStart = { ok: true; worker: TorchWorker } | { ok: false; reason: string; code: 'not-found' | 'no-torch' | 'failed' };

const STDERR_LINES = 12;

export class TorchWorker {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  private readonly stderrTail: string[] = [];
  private exited = false;
  /** Set when we kill it: the 'exit' event arrives later, but the worker must not be used again. */
  private killed = false;
  private readonly killOnExit = () => this.kill();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly python: string,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && !this.killed;
  }

  /** Spawns `python -m ftprobe_worker` and waits for its ready line (or its fatal line). */
  /** Spawns the worker now; the start is settled (ready, fatal or timed out) by the returned promise. */
  static start(python: string, startTimeoutMs: number): Promise<WorkerStart> {
    return takePrestarted(python) ?? TorchWorker.launch(python, startTimeoutMs);
  }

  private static launch(python: string, startTimeoutMs: number): Promise<WorkerStart> {
    const child = spawn(python, ['-u', '-m', 'ftprobe_worker'], {
      cwd: PYTHON_DIR,
      env: { ...process.env, PYTHONPATH: PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker = new TorchWorker(child, python);
    // Writing to a worker that just died raises EPIPE here; the 'exit' handler below reports it.
    child.stdin.on('error', () => {});
    process.once('exit', worker.killOnExit);
    return new Promise<WorkerStart>((resolve) => {
      let settled = false;
      const settle = (s: WorkerStart) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!s.ok) worker.kill();
        resolve(s);
      };
      const timer = setTimeout(
        () => settle({ ok: false, code: 'failed', reason: `${python} did not start the worker within ${startTimeoutMs} ms` }),
        startTimeoutMs,
      );
      child.on('error', (err: NodeJS.ErrnoException) =>
        settle({ ok: false, code: err.code === 'ENOENT' ? 'not-found' : 'failed', reason: `${python}: ${err.message}` }),
      );
      createInterface({ input: child.stderr }).on('line', (line) => {
        worker.stderrTail.push(line);
        if (worker.stderrTail.length > STDERR_LINES) worker.stderrTail.shift();
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          worker.stderrTail.push(`(non-JSON on stdout) ${line.slice(0, 200)}`);
          return;
        }
        if (msg.event === 'ready') {
          worker.ready = msg as unknown as WorkerReady;
          settle({ ok: true, worker });
        } else if (msg.event === 'fatal') {
          settle({ ok: false, code: msg.code === 'no-torch' ? 'no-torch' : 'failed', reason: `${python} cannot import torch (${String(msg.message)})` });
        } else if (typeof msg.id === 'number') {
          const done = worker.pending.get(msg.id);
          worker.pending.delete(msg.id);
          done?.(msg.ok === true ? { ok: true, result: msg.result } : { ok: false, error: msg.error as { code: string; message: string } });
        }
      });
      child.on('exit', (code, signal) => {
        worker.exited = true;
        process.removeListener('exit', worker.killOnExit);
        const why = `torch worker exited (${signal ?? `code ${code}`})${worker.stderrSuffix()}`;
        settle({ ok: false, code: 'failed', reason: why });
        for (const done of worker.pending.values()) done({ ok: false, error: { code: 'worker-died', message: why } });
        worker.pending.clear();
      });
    });
  }

  ready: WorkerReady | undefined;

  request(method: string, params: unknown, timeoutMs: number): Promise<WorkerReply> {
    if (!this.alive) return Promise.resolve({ ok: false, error: { code: 'worker-died', message: 'torch worker is not running' } });
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // A hung worker cannot be trusted with the next trial: kill it; the backend starts a new one.
        this.kill();
        resolve({ ok: false, error: { code: 'timeout', message: `torch worker did not answer "${method}" within ${timeoutMs} ms${this.stderrSuffix()}` } });
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  /** Asks the worker to exit, and kills it if it has not within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end(JSON.stringify({ id: 0, method: 'shutdown' }) + '\n');
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.exited) return;
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.filter((l) => l.trim()).slice(-4);
    return tail.length ? `; worker stderr: ${tail.join(' | ')}` : '';
  }
}

const prestarted = new Map<string, Promise<WorkerStart>>();

/**
 * Starts a worker before the rest of the CLI has loaded, so `import torch` (~1 s) overlaps Node's
 * own start-up. Candidates are tried one after another (a Python without torch fails in ~50 ms),
 * never two imports of torch at once. The first TorchWorker.start() for a Python adopts its
 * worker; one never adopted is killed when the process exits.
 */
export function prestartWorker(pythons: string[], startTimeoutMs = 60_000): void {
  const next = (i: number) => {
    const python = pythons[i];
    if (python === undefined) return;
    const start = TorchWorker.start(python, startTimeoutMs);
    prestarted.set(python, start);
    void start.then((r) => !r.ok && next(i + 1));
  };
  next(0);
}

function takePrestarted(python: string): Promise<WorkerStart> | undefined {
  const start = prestarted.get(python);
  prestarted.delete(python);
  return start;
}
