// Generated Purview exports turned into the shapes real admins' files have: Excel's `;` CSV (UTF-8 or
// Windows-1252), Excel's "Unicode text" (UTF-16LE with BOM, TAB-separated), and one row made huge.
import { parse } from 'csv-parse/sync';
import { generateExport, type GeneratorOptions, type GroundTruth } from '../../src/generator/exportGenerator.js';

export interface Generated {
  text: string;
  truth: GroundTruth;
}

/** A generated Purview v3 CSV export (CRLF records) and its ground truth. */
export function generatedCsv(options: Partial<GeneratorOptions> & { records: number }): Generated {
  const g = generateExport({ seed: 7, scenario: 'mixed', format: 'purview-v3', ...options });
  return { text: [...g.chunks()].join(''), truth: g.truth };
}

/** Excel's quoting: a field is quoted when it holds the separator, a quote or a line break. */
function excelField(value: string, separator: string): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The same rows with another field separator, as Excel writes them (CRLF records). */
export function withSeparator(csvText: string, separator: ';' | '\t'): string {
  const rows = parse(csvText, { relax_column_count: true, relax_quotes: true });
  return rows.map((row) => row.map((f) => excelField(f, separator)).join(separator)).join('\r\n') + '\r\n';
}

/** Excel "Unicode text": TAB-separated, UTF-16LE with a byte order mark. */
export function excelUnicodeText(csvText: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withSeparator(csvText, '\t'), 'utf16le')]);
}

/** Windows-1252 bytes of `text` (the Latin-1 range as is; other characters as `?`, as Excel does). */
export function windows1252(text: string): Buffer {
  return Buffer.from(text.replace(/[\u0100-\u{10ffff}]/gu, '?'), 'latin1');
}

/** The AuditData of a MeetingParticipantDetail record padded to about `bytes` bytes with one huge field. */
export function hugeAuditData(bytes: number): string {
  return JSON.stringify({
    CreationTime: '2026-03-02T09:00:00',
    Id: '0badbeef-0000-4000-8000-000000000001',
    Operation: 'MeetingParticipantDetail',
    RecordType: 25,
    Workload: 'MicrosoftTeams',
    UserId: 'organizer@contoso.com',
    MeetingDetailId: 'huge-meeting',
    JoinTime: '2026-03-02T09:00:00',
    LeaveTime: '2026-03-02T09:30:00',
    Padding: 'x'.repeat(bytes),
  });
}

/**
 * `csvText` (a Purview v3 export) with a row inserted before data row `row`, so that it becomes row `row`:
 * its AuditData about `bytes` long. With `unclosed`, the row's AuditData quote is never closed instead.
 */
export function withHugeRow(csvText: string, row: number, bytes: number, unclosed = false): string {
  const lines = csvText.split('\r\n');
  const audit = hugeAuditData(bytes).replace(/"/g, '""');
  const inserted = unclosed
    ? `0badbeef-0000-4000-8000-000000000001,2026-03-02T09:00:00,25,MeetingParticipantDetail,organizer@contoso.com,"${audit},,`
    : `0badbeef-0000-4000-8000-000000000001,2026-03-02T09:00:00,25,MeetingParticipantDetail,organizer@contoso.com,"${audit}",,`;
  lines.splice(row, 0, inserted);
  return lines.join('\r\n');
}
