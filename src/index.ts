/** Public library API: re-exports only. */
export { runSurvey } from './run/survey.js';
export type { Row, Run, SurveyResult, RunSurveyOptions, ProgressEvent } from './run/survey.js';
export { loadSurvey, parseSurveyText, builtinSurveyNames } from './spec/load.js';
export { expandSurvey } from './spec/expand.js';
export type { SurveySpec, Trial, Action, ModelSpec } from './spec/schema.js';
export { resolveBackends, parseBackendChoice, BACKEND_NAMES } from './backends/registry.js';
export type { Backend, BackendInfo, TensorData, TrialOutcome, TrialMeasurement } from './backends/backend.js';
export { diffTensor, reportTensors, NOISE_REL_THRESHOLD } from './measure/diff.js';
export type { TensorReport, ChangeStatus } from './measure/diff.js';
export { renderSurvey, renderSurveyJson, renderSurveyMarkdown, renderSurveyTerminal } from './report/index.js';
export { FtprobeError } from './errors.js';
