// Bench section `tala` (only with TALA_PY=/path/to/tala.py): tala v3.0.0 `-d` side by side with
// `teams-audit -d` and `--compat tala -d` on tala-readable inputs (participant records only: tala
// aborts on MeetingDetail and other operations, see docs/design/tala-compatibility.md).
import { cliUnavailable, type BenchCase, type BenchSection } from '../harness.js';
import { describeInput, ensureInput } from '../inputs.js';

export const section: BenchSection = {
  id: 'tala',
  title: 'tala v3.0.0 side by side (participant records only, Purview variant 2)',
  order: 30,
  skipReason() {
    const tala = process.env['TALA_PY'];
    return tala === undefined || tala === '' ? 'set TALA_PY=/path/to/tala.py to time tala side by side' : undefined;
  },
  async prepare(ctx) {
    const tala = process.env['TALA_PY'] as string;
    const unavailable = cliUnavailable(ctx);
    const cases: BenchCase[] = [];
    for (const scenario of ['mixed', 'townhall'] as const) {
      const input = await ensureInput(ctx, `${scenario}-50k-v2-tala.csv`, {
        seed: 1,
        records: 50_000,
        scenario,
        format: 'purview-v2',
        meetingDetails: false,
        otherOperationsShare: 0,
      });
      const common = { input: describeInput(input), records: input.rows, note: 'side by side' };
      cases.push(
        {
          id: `tala-d-${scenario}`,
          label: `tala.py -d, ${scenario}`,
          ...common,
          runs: scenario === 'townhall' ? 1 : 3,
          command: { runtime: 'python', script: tala, args: ['-d', input.path] },
        },
        {
          id: `cli-d-${scenario}-tala-input`,
          label: `teams-audit -d, ${scenario}`,
          ...common,
          runs: 3,
          command: { runtime: 'node', script: ctx.cliScript, args: ['-d', input.path] },
          ...(unavailable !== undefined ? { unavailable } : {}),
        },
        {
          id: `cli-compat-${scenario}`,
          label: `teams-audit --compat tala -d, ${scenario}`,
          ...common,
          runs: 3,
          command: { runtime: 'node', script: ctx.cliScript, args: ['--compat', 'tala', '-d', input.path] },
          ...(unavailable !== undefined ? { unavailable } : {}),
        },
      );
    }
    return cases;
  },
};
