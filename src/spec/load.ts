/**
 * Loads a survey from a built-in name or a YAML/JSON file. Validation problems are reported as
 * `file:line: field: message`, so a user can jump to the line; JSON goes through the YAML parser
 * (JSON is YAML 1.2), which gives both formats the same line mapping.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FtprobeError, unknownName } from '../errors.js';
import { SURVEYS_DIR } from '../paths.js';
import { SurveySchema, type SurveySpec } from './schema.js';

export function builtinSurveyNames(): string[] {
  return readdirSync(SURVEYS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/** A name of a built-in survey, or a path to a .yaml/.yml/.json file. */
export function loadSurvey(nameOrFile: string): SurveySpec {
  if (/\.(ya?ml|json)$/i.test(nameOrFile) || nameOrFile.includes('/')) {
    if (!existsSync(nameOrFile)) throw new FtprobeError('unknown-survey', `Survey file ${nameOrFile} does not exist.`);
    return parseSurveyText(readFileSync(nameOrFile, 'utf8'), nameOrFile);
  }
  const known = builtinSurveyNames();
  if (!known.includes(nameOrFile)) throw unknownName('unknown-survey', 'survey', nameOrFile, [...known, '<file.yaml>']);
  const file = join(SURVEYS_DIR, `${nameOrFile}.yaml`);
  return parseSurveyText(readFileSync(file, 'utf8'), file);
}

export function parseSurveyText(text: string, file: string): SurveySpec {
  return parseYamlWith(SurveySchema, text, file);
}

/** Parses YAML or JSON text and validates it; the first problem becomes `file:line: field: message`. */
export function parseYamlWith<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line } = lines.linePos(syntax.pos[0]);
    throw new FtprobeError('bad-spec', `${file}:${line}: ${syntax.message.split('\n')[0]}`);
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FtprobeError('bad-spec', `${file}:${lineOf(doc, lines, issue.path)}: ${fieldName(issue.path)}: ${describe(issue)}`);
  }
  return parsed.data;
}

/** The line of the deepest node that exists along the issue's path (a missing key points at its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

function fieldName(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
