// `npm run render:workbook [-- <file.png>]`: renders the Log Analytics workbook on sample data to
// docs/log-analytics-workbook.png (or the given file). Starts an in-memory Azurite for the sample pipeline run,
// then runs the compiled test tooling (test/infra/logAnalytics/renderWorkbook.ts); needs `npm run build` first.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startAzurite } = require(join(root, 'dist', 'src', 'local', 'azuriteProcess.js'));
const { renderSampleWorkbook } = require(join(root, 'dist', 'test', 'infra', 'logAnalytics', 'renderWorkbook.js'));

const out = resolve(process.argv[2] ?? join(root, 'docs', 'log-analytics-workbook.png'));
const azurite = await startAzurite();
let code = 1;
try {
  process.env.TEST_STORAGE_CONNECTION = azurite.connectionString;
  const { pngBytes } = await renderSampleWorkbook(out);
  console.log(`render-workbook: ${out} (${Math.round(pngBytes / 1024)} KiB)`);
  code = 0;
} catch (error) {
  console.error(`render-workbook: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await azurite.stop();
}
process.exit(code);
