/**
 * Imported by bin/ftprobe.js before the CLI itself: when the command will probably use torch,
 * the worker starts now, in parallel with loading the rest of ftprobe. Deliberately tiny: it must
 * not pull in the CLI's own dependencies.
 */
import { defaultPythons } from '../backends/torch/pythons.js';
import { prestartWorker } from '../backends/torch/worker.js';

const TORCH_COMMANDS = new Set(['survey', 'claims']);

export function maybePrestart(argv: string[]): void {
  const args = argv.slice(2);
  if (!TORCH_COMMANDS.has(args[0] ?? '') || args.includes('--help') || args.includes('-h')) return;
  const i = args.findIndex((a) => a === '--backend' || a === '-b');
  const backend = i >= 0 ? args[i + 1] ?? '' : (args.find((a) => a.startsWith('--backend='))?.slice(10) ?? 'auto');
  if (backend === 'tfjs') return;
  prestartWorker(defaultPythons());
}
