// Bodies of the local host's answers, typed from the shapes src/ exports (the report API's own bodies and the
// typed reads are in jsonBody.ts). The type says what a test expects to find; its assertions check that it is there.
import type { EmulatorStatus } from '../../src/local/azuriteSupervisor.js';
import type { TableStoreStatus } from '../../src/local/tableStoreLimit.js';
import type { UploadEntry } from '../../src/storage/ledger.js';

export type { UploadEntry };

/** /api/health on the local host over a supervised Azurite: storage.emulator is added by src/local/storageGuards.ts. */
export interface LocalHealthBody {
  status: 'ok' | 'degraded' | 'unavailable';
  storage: {
    reachable: boolean;
    problem?: string;
    emulator: EmulatorStatus & { tableStore: TableStoreStatus };
  };
}
