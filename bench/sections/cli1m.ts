// Bench section `cli-1m`: `teams-audit -d` on 1,000,000 records in 20 files of 50,000 (one tenant,
// disjoint meetings: each file has its own meeting-id prefix and starts three weeks after the previous).
import { cliUnavailable, peakRssAtMost, type BenchSection } from '../harness.js';
import { ensureInput } from '../inputs.js';

export const FILES = 20;
export const RECORDS_PER_FILE = 50_000;

function startOf(file: number): string {
  return new Date(Date.UTC(2026, 2, 2, 8) + file * 21 * 86_400_000).toISOString().replace('.000Z', 'Z');
}

export const section: BenchSection = {
  id: 'cli-1m',
  title: 'CLI `-d` on 1,000,000 records (20 files × 50,000, mixed meetings)',
  order: 20,
  async prepare(ctx) {
    const paths: string[] = [];
    let bytes = 0;
    for (let i = 0; i < FILES; i++) {
      const input = await ensureInput(ctx, `mixed-1m-part${String(i + 1).padStart(2, '0')}.csv`, {
        seed: 1,
        records: RECORDS_PER_FILE,
        scenario: 'mixed',
        format: 'purview-v3',
        start: startOf(i),
        meetingIdPrefix: (i + 1).toString(16).padStart(2, '0'),
      });
      paths.push(input.path);
      bytes += input.bytes;
    }
    const unavailable = cliUnavailable(ctx);
    return [
      {
        id: 'cli-d-1m',
        label: '`teams-audit -d`, 20 files merged',
        input: `mixed-1m-part01..20.csv (${(bytes / 1e6).toFixed(0)} MB)`,
        records: FILES * RECORDS_PER_FILE,
        runs: 1,
        command: { runtime: 'node', script: ctx.cliScript, args: ['-d', ...paths] },
        ...(unavailable !== undefined ? { unavailable } : {}),
        targets: [peakRssAtMost(1000, true)],
      },
    ];
  },
};
