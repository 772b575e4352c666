// The JSON bodies the tests read back, typed from the shapes src/ exports, and two typed reads. The type
// says what a test expects to find; the test's assertions still check that it is there.
import type { EmulatorStatus } from '../../src/local/azuriteSupervisor.js';
import type { TableStoreStatus } from '../../src/local/tableStoreLimit.js';
import type { ApiErrorCode } from '../../src/pipeline/http/types.js';
import type { UploadEntry } from '../../src/storage/ledger.js';

export type { UploadEntry };

/** An error answer of the report API (errorResponse in src/pipeline/http/render.ts). */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; parameter?: string };
}

/** A page of rows (listResponse in src/pipeline/http/render.ts). */
export interface ListBody<T> {
  items: T[];
  continuationToken: string | null;
}

/** /api/health on the local host over a supervised Azurite: storage.emulator is added by src/local/storageGuards.ts. */
export interface LocalHealthBody {
  status: 'ok' | 'degraded' | 'unavailable';
  storage: {
    reachable: boolean;
    problem?: string;
    emulator: EmulatorStatus & { tableStore: TableStoreStatus };
  };
}

/** A fetch Response's JSON body, as the type the test expects. */
export async function responseJson<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** JSON text (or a UTF-8 buffer of it), as the type the test expects. */
export function parseJsonAs<T>(text: string | Buffer): T {
  return JSON.parse(text.toString()) as T;
}
