// Bench helper process: starts an in-memory Azurite, prints its connection string as one JSON line,
// and stops it when its standard input closes (that is, when the bench runner exits).
import { startAzurite } from '../../src/local/azuriteProcess.js';

async function main(): Promise<void> {
  const azurite = await startAzurite();
  process.stdout.write(`${JSON.stringify({ connectionString: azurite.connectionString })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void azurite.stop().then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`azuriteServer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
