/**
 * The recipe and survey schemas. A recipe is an ordered list of actions that mirror framework calls;
 * a survey is a factorial design whose recipe actions may carry `when` conditions on factor values.
 * Built-in surveys (surveys/*.yaml) and user files go through these same schemas.
 */
import { z } from 'zod';

/** A module path (`feature`, `feature.bn`, `layer1.0`), or `model` for the whole model. */
const ModulePath = z
  .string()
  .regex(/^(model|[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*)$/, 'expected a module path such as feature or feature.bn');
/** A module path, or a parameter-name glob (`backbone.*`). */
const ParamSelector = z.string().min(1);
/** A module path, or a glob: over parameter names for freeze/unfreeze, over module names for train/eval. */
const Target = z.union([ModulePath, z.string().regex(/[*?[]/, 'expected a module path or a glob such as backbone.*')]);

const FactorValue = z.union([z.boolean(), z.number(), z.string()]);
export type FactorValue = z.infer<typeof FactorValue>;
/** Factor conditions: every key must match; a list matches any of its values. */
const Condition = z.record(z.string(), z.union([FactorValue, z.array(FactorValue).min(1)]));
export type Condition = z.infer<typeof Condition>;
const When = Condition.optional();

export const ActionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('freeze'), target: Target, when: When }).strict(),
  z.object({ op: z.literal('unfreeze'), target: Target, when: When }).strict(),
  z.object({ op: z.literal('train'), target: Target, when: When }).strict(),
  z.object({ op: z.literal('eval'), target: Target, when: When }).strict(),
  z
    .object({
      op: z.literal('optimizer'),
      kind: z.enum(['sgd', 'adam', 'adamw']),
      lr: z.number().positive(),
      momentum: z.number().min(0).optional(),
      nesterov: z.boolean().optional(),
      weightDecay: z.number().min(0).optional(),
      betas: z.tuple([z.number(), z.number()]).optional(),
      params: z.array(ParamSelector).min(1),
      /** torch parameter groups, each with its own options; `params` is then ignored. */
      groups: z
        .array(
          z
            .object({ params: z.array(ParamSelector).min(1), lr: z.number().positive().optional(), weightDecay: z.number().min(0).optional(), momentum: z.number().min(0).optional() })
            .strict(),
        )
        .min(1)
        .optional(),
      when: When,
    })
    .strict(),
  z
    .object({
      op: z.literal('step'),
      loss: z.enum(['sum', 'mean', 'mse']).default('sum'),
      /** How gradients are cleared before the step: zeros = zero_grad(set_to_none=False), none = set_to_none=True. */
      zeroGrad: z.enum(['zeros', 'none', 'skip']).default('zeros'),
      times: z.number().int().min(1).max(1000).default(1),
      when: When,
    })
    .strict(),
  z.object({ op: z.literal('forward'), grad: z.boolean().default(false), when: When }).strict(),
  /** Keras-style training: `model.compile({optimizer, loss})` with the current optimizer, then `model.fit`. */
  z
    .object({
      op: z.literal('fit'),
      loss: z.enum(['sum', 'mean', 'mse']).default('sum'),
      epochs: z.number().int().min(1).max(100).default(1),
      when: When,
    })
    .strict(),
  z.object({ op: z.literal('predict'), when: When }).strict(),
  z.object({ op: z.literal('evaluate'), loss: z.enum(['sum', 'mean', 'mse']).default('sum'), when: When }).strict(),
]);
export type ActionSpec = z.infer<typeof ActionSchema>;
/** An action after expansion: its `when` has been decided and removed. */
export type Action = DistributiveOmit<ActionSpec, 'when'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A user's model, for `ftprobe audit`: loaded from disk (or, for `python`, built by the user's code). */
export const ExternalModelSchema = z.union([
  z.object({ torchscript: z.string().min(1) }).strict(),
  z.object({ python: z.string().regex(/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/, 'expected module:factory'), path: z.string().optional() }).strict(),
  z.object({ tfjs: z.string().min(1) }).strict(),
]);
export type ExternalModelSpec = z.infer<typeof ExternalModelSchema>;

export const BuiltinModelSchema = z
  .object({
    builtin: z.enum(['seed-mlp']),
    /**
     * Keras/TF.js only: the `training` argument given to the feature sub-model when the functional
     * model is built (`feature.apply(x, {training: false})`), rather than at call time.
     */
    featureTraining: z.boolean().optional(),
  })
  .strict();
export const ModelSchema = BuiltinModelSchema;
export type BuiltinModelSpec = z.infer<typeof BuiltinModelSchema>;
export type ModelSpec = BuiltinModelSpec | ExternalModelSpec;

/** Synthetic, seeded inputs: uniform [0, 1) floats, or integers in [0, high) (token ids). */
export const InputSchema = z
  .object({
    shape: z.array(z.number().int().min(1)).min(1),
    dtype: z.enum(['float32', 'int64']).default('float32'),
    high: z.number().int().min(1).optional(),
  })
  .strict();

export const DataSchema = z.object({ batch: z.number().int().min(1).max(65536), input: InputSchema.optional() }).strict();
export type DataSpec = z.infer<typeof DataSchema>;

/**
 * Which tensors an outcome looks at, and what it asks of them (any selected tensor):
 * `changed` really changed; `optimized` was handed to the optimizer with a gradient; `grad` got a
 * gradient; `real-grad` got a gradient that is not float32 residue (null where that was not measured).
 */
const OutcomeSchema = z
  .object({
    under: z.string().min(1),
    measure: z.enum(['changed', 'optimized', 'grad', 'real-grad']).default('changed'),
    /** Compare from the state after this many records (steps, fits, forwards) instead of the initial state. */
    since: z.number().int().min(1).optional(),
    kind: z.enum(['param', 'buffer']).optional(),
    role: z.array(z.enum(['bn-mean', 'bn-var', 'bn-count', 'other'])).optional(),
    label: z.string().optional(),
  })
  .strict();
export type OutcomeSpec = z.infer<typeof OutcomeSchema>;

const ReferenceRow = z
  .object({
    row: z.number().int(),
    settings: z.record(z.string(), FactorValue),
    outcome: z.record(z.string(), z.boolean()),
  })
  .strict();

export const SurveySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes'),
    description: z.string().default(''),
    model: ModelSchema,
    /** Per-combination model variants: the first entry whose `when` matches replaces `model`. */
    modelWhen: z.array(z.object({ when: Condition, model: ModelSchema }).strict()).default([]),
    /** Combinations to drop: where `when` matches, only those matching `require` are kept. */
    only: z.array(z.object({ when: Condition, require: Condition }).strict()).default([]),
    /** Backends the survey is written for; others skip it with a note. Default: all. */
    backends: z.array(z.enum(['torch', 'tfjs'])).optional(),
    data: DataSchema,
    seed: z.number().int().min(0).default(0),
    factors: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
            label: z.string().optional(),
            values: z.array(FactorValue).min(1),
          })
          .strict(),
      )
      .default([]),
    recipe: z.array(ActionSchema).min(1),
    outcomes: z.record(z.string(), OutcomeSchema),
    /** Published results to compare against: data, never used to produce a measurement. */
    reference: z
      .object({ source: z.string(), rows: z.array(ReferenceRow) })
      .strict()
      .optional(),
  })
  .strict();
/** A survey as runSurvey takes it; files carry built-in models, the audit a user's model. */
export type SurveySpec = Omit<z.infer<typeof SurveySchema>, 'model'> & { model: ModelSpec };

/** One concrete run: a model, data and an action list, with the factor settings that produced it. */
export interface Trial {
  id: string;
  settings: Record<string, FactorValue>;
  model: ModelSpec;
  data: DataSpec;
  seed: number;
  actions: Action[];
}
