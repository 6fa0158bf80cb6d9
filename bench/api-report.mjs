// The header of bench/results/api.md: what machine, software and load the figures come from.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';

/** Markdown header naming the machine, versions, date, git revision and load. */
export async function machineHeader(title, url) {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  await client.end();
  const rev = execSync('git rev-parse --short HEAD').toString().trim();
  return [
    `# ${title}`,
    '',
    `- machine: ${cpus().length} CPUs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `- node ${process.version}, PostgreSQL ${rows[0].server_version} (default settings: shared_buffers 128MB)`,
    `- date ${new Date().toISOString()}, git ${rev}, load average when this file was written ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ].join('\n');
}
