// Preloaded into measured Node children (`node --require`): at exit, writes the process's own peak
// RSS (KiB, process.resourceUsage().maxRSS) to the file named by $BENCH_RSS_FILE. Changes nothing else.
import { writeFileSync } from 'node:fs';

const target = process.env['BENCH_RSS_FILE'];
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    try {
      writeFileSync(target, String(process.resourceUsage().maxRSS));
    } catch {
      // The measurement is lost, never the measured program's exit status.
    }
  });
}
