// Runs the built CLI (dist/src/cli/main.js) as a child process, for end-to-end tests.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
export const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tala');
export const EXPECTED = join(FIXTURES, 'expected');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  cwd?: string;
  /** Run the child as this user and group (only root may). */
  uid?: number;
  gid?: number;
}

const nodeFor = new Map<number, string>();

/**
 * A Node executable the user `uid` may run: this one, or, when it sits where that user cannot reach it (Node 22
 * from npx lives under root's home), a copy of it in a temporary folder everyone may enter.
 */
export function nodeRunnableBy(uid: number | undefined): string {
  if (uid === undefined) return process.execPath;
  let path = nodeFor.get(uid);
  if (path === undefined) {
    path = process.execPath;
    if (spawnSync(path, ['-e', '0'], { uid, gid: uid }).status !== 0) {
      const dir = mkdtempSync(join(tmpdir(), 'node-for-other-user-'));
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
      chmodSync(dir, 0o755);
      path = join(dir, 'node');
      copyFileSync(process.execPath, path);
      chmodSync(path, 0o755);
    }
    nodeFor.set(uid, path);
  }
  return path;
}

export function runCli(args: readonly string[], options: RunOptions = {}): RunResult {
  const r = spawnSync(nodeRunnableBy(options.uid), [MAIN, ...args], {
    cwd: options.cwd ?? FIXTURES,
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A field of an audit record as CSV text (numbers and booleans written out; objects and null empty). */
function fieldText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** One CSV line (variant-2 layout) for a record given as an AuditData object. */
export function csvRow(auditData: Record<string, unknown>): string {
  const json = JSON.stringify(auditData).replace(/"/g, '""');
  return `${fieldText(auditData.CreationTime)},${fieldText(auditData.UserId)},${fieldText(auditData.Operation)},"${json}"\r\n`;
}

export const V2_HEADER = 'CreationDate,UserId,Operation,AuditData\r\n';

/** A MeetingParticipantDetail AuditData object with sensible defaults. */
export function participant(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    CreationTime: '2024-03-05T11:00:00',
    Id: `id-${Math.random().toString(16).slice(2)}`,
    Operation: 'MeetingParticipantDetail',
    OrganizationId: 'tenant',
    RecordType: 25,
    UserKey: 'org-key',
    UserType: 0,
    Version: 1,
    Workload: 'MicrosoftTeams',
    UserId: 'organizer@contoso.example',
    MeetingDetailId: 'meeting-1',
    ItemName: 'ScheduledMeeting',
    ...fields,
  };
}
