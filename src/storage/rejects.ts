// The rejects container: every rejected row of an export (file, line, field, reason) as one JSON blob
// named `<export name>.rejects.json` (or by a digest of the export name when that name could not be a
// blob name), so nothing read is lost.
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { Rejection } from '../audit/records.js';

export interface RejectsDocument {
  export: string;
  etag?: string;
  writtenAt: string;
  count: number;
  rejections: Rejection[];
}

const SUFFIX = '.rejects.json';
/** The longest blob name storage accepts. */
const MAX_BLOB_NAME_CHARS = 1024;
/** Folder of the rejects blobs named by digest. */
const BY_DIGEST = 'by-name-digest/';

/**
 * The rejects blob of an export: `<export name>.rejects.json`, unless that is longer than a blob name
 * may be or has a `.` or `..` path segment (which URLs resolve, so the blob would land elsewhere); then
 * `by-name-digest/<sha256 of the name>.rejects.json` (the document inside names the export).
 */
export function rejectsBlobName(exportName: string): string {
  const plain = `${exportName}${SUFFIX}`;
  const dotSegment = exportName.split('/').some((segment) => segment === '.' || segment === '..');
  if (plain.length <= MAX_BLOB_NAME_CHARS && !dotSegment) return plain;
  return `${BY_DIGEST}${createHash('sha256').update(exportName, 'utf8').digest('hex')}${SUFFIX}`;
}

export class RejectsContainer {
  constructor(readonly container: ContainerClient) {}

  /**
   * Writes (replaces) the rejects blob of an export and returns its name; with no rejections, deletes
   * a blob left by an earlier version of the export and returns undefined.
   */
  async write(
    exportName: string,
    etag: string | undefined,
    rejections: readonly Rejection[],
    now = new Date(),
  ): Promise<string | undefined> {
    const name = rejectsBlobName(exportName);
    const blob = this.container.getBlockBlobClient(name);
    if (rejections.length === 0) {
      await blob.deleteIfExists();
      return undefined;
    }
    const document: RejectsDocument = {
      export: exportName,
      writtenAt: now.toISOString(),
      count: rejections.length,
      rejections: [...rejections],
    };
    if (etag !== undefined) document.etag = etag;
    const data = Buffer.from(JSON.stringify(document, null, 1), 'utf8');
    await blob.uploadData(data, { blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' } });
    return name;
  }

  async read(exportName: string): Promise<RejectsDocument | undefined> {
    try {
      const buffer = await this.container.getBlobClient(rejectsBlobName(exportName)).downloadToBuffer();
      return JSON.parse(buffer.toString('utf8')) as RejectsDocument;
    } catch (error) {
      if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return undefined;
      throw error;
    }
  }
}
