/**
 * The audit recipe: a user's fine-tuning setup as data. `setup` actions run first (freeze, the
 * optimizer, mode calls, in order), then `steps` training steps; `at: {k: [...]}` runs actions
 * just before step k (freezing late, a mode call mid-training). Validated like survey files.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FtprobeError } from '../errors.js';
import { parseYamlWith } from '../spec/load.js';
import { ActionSchema, InputSchema, type Action } from '../spec/schema.js';

const SetupAction = ActionSchema;

export const RecipeSchema = z
  .object({
    input: InputSchema.optional(),
    batch: z.number().int().min(1).max(4096).default(4),
    loss: z.enum(['sum', 'mean', 'mse']).default('mse'),
    steps: z.number().int().min(1).max(1000).default(3),
    /** How gradients are cleared before each step: zeros = zero_grad(set_to_none=False), none = set_to_none=True. */
    zeroGrad: z.enum(['zeros', 'none']).default('zeros'),
    seed: z.number().int().min(0).default(0),
    setup: z.array(SetupAction).min(1),
    at: z.record(z.string().regex(/^[1-9]\d*$/, 'expected a step number'), z.array(SetupAction)).default({}),
  })
  .strict();
export type Recipe = z.infer<typeof RecipeSchema>;

export function loadRecipe(file: string): Recipe {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FtprobeError('io', `Cannot read --recipe ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  return parseYamlWith(RecipeSchema, text, file);
}

/** The recipe as one ordered action list: setup, then each step preceded by its `at` actions. */
export function compileRecipe(recipe: Recipe, steps = recipe.steps): Action[] {
  const strip = (a: z.infer<typeof SetupAction>): Action => {
    const { when: _w, ...rest } = a;
    return rest as Action;
  };
  const out: Action[] = recipe.setup.map(strip);
  for (let k = 1; k <= steps; k++) {
    out.push(...(recipe.at[String(k)] ?? []).map(strip));
    const last = out.at(-1);
    if (last?.op === 'step' && !recipe.at[String(k)]?.length) last.times++;
    else out.push({ op: 'step', loss: recipe.loss, zeroGrad: recipe.zeroGrad, times: 1 });
  }
  return out;
}
