// Bench section `cli`: `teams-audit -d` on 50,000-record exports (mixed meetings and one town hall),
// next to csv-parse alone on the same file (the floor any CSV reader built on it pays).
import {
  CSV_PARSE_PROBE,
  cliUnavailable,
  peakRssAtMost,
  wallAtMost,
  wallAtMostTimes,
  type BenchSection,
} from '../harness.js';
import { describeInput, ensureInput } from '../inputs.js';

export const MIXED_50K = { seed: 1, records: 50_000, scenario: 'mixed', format: 'purview-v3' } as const;
export const TOWNHALL_50K = { seed: 1, records: 50_000, scenario: 'townhall', format: 'purview-v3' } as const;

export const section: BenchSection = {
  id: 'cli',
  title: 'CLI `-d` on 50,000-record Purview (variant 3) exports',
  order: 10,
  async prepare(ctx) {
    const mixed = await ensureInput(ctx, 'mixed-50k-v3.csv', { ...MIXED_50K });
    const townhall = await ensureInput(ctx, 'townhall-50k-v3.csv', { ...TOWNHALL_50K });
    const unavailable = cliUnavailable(ctx);
    const cli = (args: string[]): { runtime: 'node'; script: string; args: string[] } => ({
      runtime: 'node',
      script: ctx.cliScript,
      args,
    });
    return [
      {
        id: 'csv-parse-mixed',
        label: 'csv-parse alone (row count)',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 5,
        command: { runtime: 'node', script: CSV_PARSE_PROBE, args: [mixed.path] },
        note: 'reference for the ratio',
      },
      {
        id: 'csv-json-mixed',
        label: 'csv-parse + JSON.parse(AuditData)',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 5,
        command: { runtime: 'node', script: CSV_PARSE_PROBE, args: [mixed.path, '--json'] },
        note: 'information',
      },
      {
        id: 'cli-d-mixed',
        label: '`teams-audit -d`, mixed meetings',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 5,
        command: cli(['-d', mixed.path]),
        ...(unavailable !== undefined ? { unavailable } : {}),
        targets: [wallAtMost(0.8), wallAtMostTimes(1.3, 'csv-parse-mixed', 'csv-parse alone'), peakRssAtMost(150)],
      },
      {
        id: 'cli-d-townhall',
        label: '`teams-audit -d`, one town hall',
        input: describeInput(townhall),
        records: townhall.rows,
        runs: 5,
        command: cli(['-d', townhall.path]),
        ...(unavailable !== undefined ? { unavailable } : {}),
        targets: [wallAtMostTimes(1.2, 'cli-d-mixed', 'mixed `-d`'), peakRssAtMost(150)],
      },
    ];
  },
};
