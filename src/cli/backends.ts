import { table } from '../report/terminal.js';
import { BACKENDS, BACKEND_NAMES } from '../backends/registry.js';

export async function backendsCommand(opts: { format: 'table' | 'json' }): Promise<number> {
  const rows = await Promise.all(
    BACKEND_NAMES.map(async (name) => {
      const r = await BACKENDS[name]();
      if (!r.ok) return { name, available: false, framework: null, version: null, device: null, detail: null, reason: `${r.reason}. ${r.fix}` };
      const info = r.backend.info;
      await r.backend.dispose();
      return { name, available: true, framework: info.framework, version: info.version, device: info.device, detail: info.detail, reason: null };
    }),
  );
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ backends: rows }, null, 2) + '\n');
  } else {
    const header = ['backend', 'available', 'framework', 'version', 'device', 'detail / reason'];
    process.stdout.write(table({ header, rows: rows.map((r) => [r.name, r.available ? 'yes' : 'no', r.framework ?? '-', r.version ?? '-', r.device ?? '-', r.detail ?? r.reason ?? '']) }) + '\n');
  }
  return 0;
}
