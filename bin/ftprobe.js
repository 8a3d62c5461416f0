#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the "prepare" script).
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ftprobe: not built yet. Run "npm install" (or "npm run build") in the ftprobe folder.\n');
  process.exit(2);
}
// Start the torch worker first, so Python's import of torch overlaps loading the CLI.
(await import(new URL('../dist/src/cli/prestart.js', import.meta.url).href)).maybePrestart(process.argv);
await import(main.href);
