/** The bn-frozen study's design: which runs each size makes. */
export const POLICIES = ['frozen', 'train', 'batch-stats', 'adabn', 'train-affine'] as const;
export type Policy = (typeof POLICIES)[number];
export const TASKS = ['synthetic', 'digits'] as const;

export interface StudySize {
  name: 'quick' | 'default' | 'full';
  tasks: readonly string[];
  shifts: string[];
  batches: number[];
  seeds: number;
  /** Fine-tuning steps of the new head. */
  steps: number;
  /** Source-domain pretraining steps (batch 64, Adam). */
  pretrainSteps: number;
}

export const SIZES: Record<StudySize['name'], StudySize> = {
  quick: { name: 'quick', tasks: TASKS, shifts: ['none', 'strong'], batches: [8, 128], seeds: 2, steps: 20, pretrainSteps: 150 },
  default: { name: 'default', tasks: TASKS, shifts: ['none', 'mild', 'strong'], batches: [2, 8, 32, 128], seeds: 5, steps: 40, pretrainSteps: 300 },
  full: { name: 'full', tasks: TASKS, shifts: ['none', 'mild', 'strong'], batches: [2, 8, 32, 128], seeds: 10, steps: 150, pretrainSteps: 600 },
};

export interface Cell {
  task: string;
  shift: string;
  batch: number;
  policy: Policy;
  seed: number;
}

export function cells(size: StudySize): Cell[] {
  const out: Cell[] = [];
  // Seed outermost: pretraining is cached per task and seed in the worker, and a partial run has
  // every cell at least once before repeating seeds.
  for (let seed = 0; seed < size.seeds; seed++)
    for (const task of size.tasks) for (const shift of size.shifts) for (const batch of size.batches) for (const policy of POLICIES) out.push({ task, shift, batch, policy, seed });
  return out;
}

export function cellKey(backend: string, c: Cell, size: StudySize): string {
  return `${backend}|${c.task}|${c.shift}|${c.batch}|${c.policy}|${c.seed}|steps=${size.steps}|pre=${size.pretrainSteps}`;
}
