// The key that signs the report API's continuation tokens (HMAC-SHA-256). One random key per storage
// account, created by whichever instance asks first (a create-if-absent insert, so concurrent instances
// agree on the one that won), then read back and cached: every instance verifies the tokens of every
// other, across restarts. It lives in a table only the app's identity can read (the deployer's roles
// cover blob containers only).
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { getEntityIfExists, str } from './tableEntities.js';

const PARTITION = 'continuation-token';
const ROW = 'hmac-sha256-v1';
export const TOKEN_KEY_BYTES = 32;

function isConflict(error: unknown): boolean {
  return (error as { statusCode?: unknown } | null)?.statusCode === 409;
}

export class TokenKeyTable {
  private cached: Promise<Buffer> | undefined;

  constructor(
    readonly client: TableClient,
    private readonly random: () => Buffer = () => randomBytes(TOKEN_KEY_BYTES),
  ) {}

  /** The account's key (created on first use, then cached; a failed read is retried on the next call). */
  key(): Promise<Buffer> {
    if (this.cached === undefined) {
      this.cached = this.load();
      this.cached.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached;
  }

  private async load(): Promise<Buffer> {
    const existing = await this.read();
    if (existing !== undefined) return existing;
    try {
      await this.client.createEntity({ partitionKey: PARTITION, rowKey: ROW, key: this.random().toString('base64') });
    } catch (error) {
      // Another instance created it first: its key is the one.
      if (!isConflict(error)) throw error;
    }
    const created = await this.read();
    if (created === undefined) throw new Error('the continuation-token key was created but cannot be read back');
    return created;
  }

  private async read(): Promise<Buffer | undefined> {
    const entity = await getEntityIfExists(this.client, PARTITION, ROW);
    if (entity === undefined) return undefined;
    const key = Buffer.from(str(entity, 'key'), 'base64');
    if (key.length !== TOKEN_KEY_BYTES)
      throw new Error(`the stored continuation-token key is not ${TOKEN_KEY_BYTES} bytes`);
    return key;
  }
}
