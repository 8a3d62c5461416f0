#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the "prepare" script).
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ftprobe: not built yet. Run "npm install" (or "npm run build") in the ftprobe folder.\n');
  process.exit(2);
}
await import(main.href);
