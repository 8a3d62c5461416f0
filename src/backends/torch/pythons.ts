/** Python executables to try for torch, in order: FTPROBE_PYTHON alone when set. */
export function defaultPythons(): string[] {
  const env = process.env.FTPROBE_PYTHON;
  return env ? [env] : ['python3', '/usr/bin/python3'];
}
