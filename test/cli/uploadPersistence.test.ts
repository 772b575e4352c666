// `teams-audit upload` on the local emulator reports an upload only once Azurite has saved it: Azurite
// (an instance of its own, with a data folder) is SIGKILLed the moment upload returns, started again on
// the same folder, and the blob is still there with its content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runUpload } from '../../src/cli/upload.js';
import { startAzurite } from '../../src/local/azuriteProcess.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { textSink } from '../support/textSink.js';

test('an upload reported by `upload` survives Azurite being killed right after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upload-persist-'));
  const location = join(dir, 'azurite');
  const content = 'RecordId,CreationDate\nid-1,2026-03-02\n';
  writeFileSync(join(dir, 'kept.csv'), content);

  let azurite = await startAzurite({ location });
  try {
    await storageClientsFromConnectionString(azurite.connectionString)
      .blobService.getContainerClient('exports')
      .create();
    const out = textSink();
    const err = textSink();
    const code = await runUpload(
      [join(dir, 'kept.csv'), '--container', 'exports', '--connection-string', azurite.connectionString],
      {
        stdout: out.stream,
        stderr: err.stream,
      },
    );
    process.kill(azurite.pid!, 'SIGKILL');
    await azurite.exited;
    assert.equal(code, 0, err.text());
    assert.match(
      out.text(),
      /^Waiting 6 s until the local emulator has saved the upload to disk \(Azurite saves every 5 s;/m,
    );
    assert.match(
      out.text(),
      /Waiting [^\n]*\nUploaded .*kept\.csv to exports\/kept\.csv /,
      'the upload is reported after the wait',
    );

    azurite = await startAzurite({ location, ports: azurite.ports });
    const blob = storageClientsFromConnectionString(azurite.connectionString)
      .blobService.getContainerClient('exports')
      .getBlobClient('kept.csv');
    assert.equal(await blob.exists(), true, 'the blob survived the kill');
    assert.equal((await blob.downloadToBuffer()).toString(), content);
  } finally {
    await azurite.stop();
  }
});
