/**
 * The CLI entry point and the only place that calls process.exit.
 * Exit codes: 0 ok; 1 a finding the user asked to fail on (an errored trial, --strict); 2 bad
 * input or an unavailable backend (one line, no stack); anything else thrown is a bug: its stack
 * is printed and the exit code is 70.
 */
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES } from '../backends/registry.js';
import { FtprobeError } from '../errors.js';
import { PACKAGE_VERSION } from '../paths.js';
import { FORMATS } from '../report/index.js';
import { builtinSurveyNames } from '../spec/load.js';
import { OVERHEAD_MODELS } from '../bench/overhead.js';
import { auditCommand } from './audit.js';
import { studyCommand } from './study.js';
import { backendsCommand } from './backends.js';
import { benchOverheadCommand } from './bench.js';
import { claimsCommand } from './claims.js';
import { surveyCommand } from './survey.js';

function program(setExit: (code: number) => void): Command {
  const cli = new Command('ftprobe')
    .description('Measure, on the real ML frameworks, what a fine-tuning recipe actually changes in a model.')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({
      // Commander puts its suggestion on a second line; keep every error to one line.
      outputError: (str, write) => write(str.replace(/\n\(Did you mean (.+)\?\)\n$/, ' (did you mean $1?)\n')),
    });

  cli
    .command('survey')
    .description('Run a survey (a factorial design of fine-tuning recipes) and report what changed in every tensor.')
    .argument('[survey]', `built-in survey (${builtinSurveyNames().join(', ')}) or a .yaml/.json file`, 'seed')
    .addOption(new Option('-b, --backend <name>', `backend: ${BACKEND_CHOICES.join(', ')}, or a comma list; auto = every available one`).default('auto'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --out <file>', 'write the report to a file (rewritten after each trial) instead of stdout')
    .option('--detail', 'show the code each trial ran and the per-tensor evidence')
    .option('--seed <n>', "seed for model init and data (default: the survey's own)")
    .action(async (name: string, opts) => setExit(await surveyCommand(name, opts)));

  cli
    .command('claims')
    .description("Check every claim (the survey's and ftprobe's own) on the real frameworks and print the verdicts with their evidence.")
    .addOption(new Option('-b, --backend <name>', `backend: ${BACKEND_CHOICES.join(', ')}, or a comma list`).default('auto'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--detail', 'list the evidence (rows and tensors, with magnitudes) behind each verdict')
    .option('--expect <ids>', 'comma list of claims you expect to hold (for --strict)')
    .option('--strict', 'exit 1 when a claim given to --expect fails on a backend it applies to')
    .action(async (opts) => setExit(await claimsCommand(opts)));

  cli
    .command('audit')
    .description("Run YOUR model through YOUR fine-tuning recipe for a few real steps and report the fate of every tensor.")
    .argument('<model>', 'a TorchScript file, a TF.js model.json, or module:factory (imports and runs your Python code)')
    .option('-r, --recipe <file>', 'the recipe YAML (freezing, optimizer and groups, mode calls, steps, input, loss)')
    .option('--steps <n>', "number of training steps (default: the recipe's)")
    .option('--expect <rule>', 'a rule that must hold, repeatable: unchanged:GLOB, changed:GLOB, bn-fixed:GLOB, no-wasted-grads', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--detail', 'list every tensor, not only the per-module summary, and the code that ran')
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .action(async (model: string, opts) => setExit(await auditCommand(model, opts)));

  cli
    .command('study')
    .description("Answer the survey's open question with data: bn-frozen compares BN policies for a frozen feature extractor.")
    .argument('<name>', 'study name: bn-frozen')
    .addOption(new Option('-b, --backend <name>', `backend: ${BACKEND_CHOICES.join(', ')}, or a comma list`).default('auto'))
    .option('--quick', 'the small grid (2 seeds, 2 shifts, 2 batch sizes; about a minute)')
    .option('--full', 'the large grid (10 seeds, longer fine-tuning)')
    .option('--seeds <n>', 'number of seeds (overrides the size)')
    .option('-o, --out <dir>', 'folder for results.jsonl, charts and report.html', 'ftprobe-study')
    .option('--resume', 'continue a study in --out: finished runs are read back, never recomputed')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .action(async (name: string, opts) => setExit(await studyCommand(name, opts)));

  const bench = cli.command('bench').description('Benchmarks that measure what freezing costs and saves.');
  bench
    .command('overhead')
    .description('Per training step: gradient bytes, extra memory and forward/backward/optimizer time for neither / freeze / not_optimize / both.')
    .addOption(new Option('-b, --backend <name>', `backend: ${BACKEND_CHOICES.join(', ')}, or a comma list`).default('auto'))
    .addOption(new Option('-m, --model <name>', `model: ${OVERHEAD_MODELS.join(', ')} (torchvision on torch, tfjs-layers equivalents on tfjs)`).default('seed-mlp'))
    .option('--batch <n>', 'batch size (default 128 for seed-mlp, 8 for image models)')
    .option('--image <n>', 'image side for image models (default 64; on tfjs conv nets train on the slow cpu backend, try --image 32 --batch 2 --reps 1)')
    .option('--reps <n>', 'timed steps after one warm-up step', '5')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .action(async (opts) => setExit(await benchOverheadCommand(opts)));

  cli
    .command('backends')
    .description('List the backends, whether each is available, its framework version, and why not when it is not.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts) => setExit(await backendsCommand(opts)));

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = program((c) => (code = c));
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(cli);
  try {
    await cli.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed its one line
    if (err instanceof FtprobeError) {
      process.stderr.write(`ftprobe: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`ftprobe: internal error (a bug; please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
    return 70;
  }
}

process.on('SIGINT', () => {
  // Partial results are already on disk (--out is rewritten after every trial); workers die with us.
  process.stderr.write('\nftprobe: interrupted\n');
  process.exit(130);
});

main(process.argv).then((code) => {
  // Let stdout drain before exiting: a large JSON report piped to another program must arrive whole.
  process.stdout.write('', () => process.exit(code));
});
