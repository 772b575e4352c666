// Bench reference: streams one CSV export through csv-parse alone (same parser options as the
// project's reader) and counts the rows; with --json also JSON.parses every AuditData cell.
import { createReadStream } from 'node:fs';
import { Parser } from 'csv-parse';

async function main(): Promise<number> {
  const file = process.argv[2];
  const withJson = process.argv.includes('--json');
  if (file === undefined) {
    process.stderr.write('usage: csvParseAlone FILE [--json]\n');
    return 2;
  }
  const parser = new Parser({ relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true });
  let rows = 0;
  let auditColumn = -1;
  parser.on('data', (row: string[]) => {
    if (rows === 0) auditColumn = row.indexOf('AuditData');
    else if (withJson) JSON.parse(row[auditColumn] ?? 'null');
    rows++;
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parser);
  await done;
  process.stdout.write(`${rows - 1} data rows\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`csvParseAlone: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
