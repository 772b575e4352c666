// Bench section `reports`: every report of the CLI on the 50,000-record mixed export, each as its
// own child process, with its wall time and peak RSS. The streamed reports (attendees, records and
// the record view, tala's -a and record view) keep no row once written, so they stay near the
// memory of reading the file; the others need every meeting's analysis at once.
import { cliUnavailable, peakRssAtMost, type BenchCase, type BenchSection, type Target } from '../harness.js';
import { describeInput, ensureInput } from '../inputs.js';
import { MIXED_50K } from './cli.js';

/** Streamed reports: reading the file (about 90 MB with Node itself) plus the chunk being written. */
export const STREAMED_RSS_MB = 120;
/** The attendees text table analyses every meeting twice (column widths, then lines): more garbage at a time. */
export const TABLE_RSS_MB = 130;
/** Reports built whole from every meeting's analysis (as `-d`, the cli section's target). */
export const WHOLE_RSS_MB = 150;
/** The summary keeps every analysis and every ranking (all subnets, users and days). */
export const SUMMARY_RSS_MB = 200;

interface ReportCase {
  id: string;
  args: string[];
  streamed: boolean;
  limitMb?: number;
}

export const REPORT_CASES: readonly ReportCase[] = [
  { id: 'd', args: ['-d'], streamed: false },
  { id: 'o', args: ['-o'], streamed: false },
  { id: 'a', args: ['-a'], streamed: true },
  { id: 'a-text', args: ['-a', '--format', 'text'], streamed: true, limitMb: TABLE_RSS_MB },
  { id: 'a-json', args: ['-a', '--format', 'json'], streamed: true },
  { id: 'summary', args: ['--report', 'summary'], streamed: false, limitMb: SUMMARY_RSS_MB },
  { id: 'users', args: ['--report', 'users'], streamed: false },
  { id: 'unknown-clients', args: ['--report', 'unknown-clients'], streamed: false },
  { id: 'records-text', args: ['--report', 'records', '--format', 'text'], streamed: true },
  { id: 'records-csv', args: ['--report', 'records', '--format', 'csv'], streamed: true },
  { id: 'records-json', args: ['--report', 'records', '--format', 'json'], streamed: true },
  { id: 'record-view', args: [], streamed: true },
  { id: 'tala-d', args: ['--compat', 'tala', '-d'], streamed: false },
  { id: 'tala-o', args: ['--compat', 'tala', '-o'], streamed: false },
  { id: 'tala-a', args: ['--compat', 'tala', '-a'], streamed: true },
  { id: 'tala-view', args: ['--compat', 'tala'], streamed: true },
];

function target(c: ReportCase): Target {
  return peakRssAtMost(c.limitMb ?? (c.streamed ? STREAMED_RSS_MB : WHOLE_RSS_MB));
}

export const section: BenchSection = {
  id: 'reports',
  title: 'Every CLI report on the 50,000-record mixed export: wall time and peak memory',
  order: 15,
  async prepare(ctx) {
    const mixed = await ensureInput(ctx, 'mixed-50k-v3.csv', { ...MIXED_50K });
    const unavailable = cliUnavailable(ctx);
    return REPORT_CASES.map((c): BenchCase => ({
      id: `reports-${c.id}`,
      label: `\`teams-audit ${[...c.args, 'FILE'].join(' ')}\`${c.streamed ? ' (streamed)' : ''}`,
      input: describeInput(mixed),
      records: mixed.rows,
      runs: 3,
      command: { runtime: 'node', script: ctx.cliScript, args: [...c.args, mixed.path] },
      ...(unavailable !== undefined ? { unavailable } : {}),
      targets: [target(c)],
    }));
  },
};
