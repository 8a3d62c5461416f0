/**
 * Training-step time of the same model, batch and optimizer (plain SGD, mean-square loss) on
 * TF.js-wasm and on torch CPU, written the fast way in each framework; prints the ratio
 * tfjs / torch and, from one profiled TF.js step, how much of it is spent inside kernels.
 *   node dist/bench/tfjs-vs-torch.js [--steps 50]
 */
import { parseArgs } from 'node:util';
import { createTfjsBackend } from '../src/backends/tfjs/index.js';
import { timeSteps } from '../src/backends/tfjs/bench.js';
import { createTorchBackend, TorchBackend } from '../src/backends/torch/index.js';
import { stat } from '../src/bench/overhead.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '50' } } });
const steps = Number(values.steps);
await createTfjsBackend(); // selects the wasm tensor backend
const torch = await createTorchBackend();
if (!torch.ok || !(torch.backend instanceof TorchBackend)) {
  console.error(`torch unavailable: ${torch.ok ? 'not a torch backend' : torch.reason}`);
  process.exit(2);
}
try {
  for (const [model, batch] of [['seed-mlp', 128], ['small-cnn', 64]] as const) {
    const t = await timeSteps(model, batch, steps);
    const p = await torch.backend.timeSteps(model, batch, steps);
    const a = stat(t.stepMs);
    const b = stat(p.stepMs);
    console.log(`${model} batch ${batch}: tfjs-${t.tensorBackend} ${a.median.toFixed(2)} ms [${a.min.toFixed(2)}–${a.max.toFixed(2)}], torch (${p.threads} thread) ${b.median.toFixed(2)} ms [${b.min.toFixed(2)}–${b.max.toFixed(2)}]`);
    console.log(`  ratio tfjs / torch: ${(a.median / b.median).toFixed(2)}`);
    for (const n of t.notes) console.log(`  note: ${n}`);
    console.log(`  one profiled tfjs step: ${t.kernels} kernels, ${t.kernelMs.toFixed(2)} ms inside kernels of ${t.profiledStepMs.toFixed(2)} ms (${((100 * t.kernelMs) / t.profiledStepMs).toFixed(0)}%; the rest is dispatch, tape and profiling bookkeeping)`);
  }
} finally {
  await torch.backend.dispose();
}
