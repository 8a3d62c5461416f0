/**
 * The one error type a user sees. Its message is a single line that states the fix; `cli/main.ts`
 * prints it and exits 2. Any other thrown value is a bug in ftprobe and is printed with its stack.
 */
export type ErrorCode =
  | 'usage'
  | 'unknown-survey'
  | 'unknown-backend'
  | 'backend-unavailable'
  | 'bad-spec'
  | 'bad-out'
  | 'io';

export class FtprobeError extends Error {
  override readonly name = 'FtprobeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `"x" is not valid. Known: a, b, c.`: the shape of every unknown-name error. */
export function unknownName(code: ErrorCode, what: string, given: string, known: readonly string[]): FtprobeError {
  return new FtprobeError(code, `Unknown ${what} "${given}". Known: ${known.join(', ')}.`);
}
