// The report API's JSON bodies as the tests read them (docs/http-api.md), built from the row types the report
// and storage modules export. Only the shapes: the tests' assertions check the values.
import type { MeetingSummary, TenantSummary } from '../../../src/analysis/metrics.js';
import type { CollectorHealth } from '../../../src/pipeline/collectorHealth.js';
import type { MassEventRow, MeetingNoteRow } from '../../../src/pipeline/http/meetingEvents.js';
import type { SummaryFocus } from '../../../src/pipeline/http/summaryFocus.js';
import type { AttendeeRow } from '../../../src/reports/attendees.js';
import type { DisconnectionRow } from '../../../src/reports/disconnections.js';
import type { NamedMeetingRow } from '../../../src/reports/meetings.js';
import type { GroupBy, RankingRow } from '../../../src/reports/summary.js';
import type { UserRow } from '../../../src/reports/users.js';
import type { UploadEntry } from '../../../src/storage/ledger.js';
import type { AnalysisRunStatus, ConfigRemark, ConfigRemarking } from '../../../src/storage/marks.js';
import type { RetentionRunStatus } from '../../../src/storage/retentionState.js';
import type { NamesRunStatus } from '../../../src/storage/usersTable.js';
import type { PageBody } from '../../support/jsonBody.js';

/** /api/meetings/{meetingId}: the meeting and a page of the parts `include` asked for. */
export interface MeetingBody {
  meetingId: string;
  meeting: NamedMeetingRow | null;
  summary: MeetingSummary | null;
  analysedAt: string | null;
  pendingAnalysis: boolean;
  sessionsTotal: number | null;
  disconnectionsTotal: number;
  sessions?: AttendeeRow[];
  disconnections?: DisconnectionRow[];
  notes?: MeetingNoteRow[];
  massEvents?: MassEventRow[];
  continuationToken: string | null;
}

/** /api/summary: tenant totals, with groupBy a ranking, with site=, platform= or user= the key's focus. */
export interface SummaryBody extends PageBody<RankingRow> {
  period: { from: string | null; to: string | null };
  totals: TenantSummary;
  minSessions: number;
  groupBy: GroupBy | null;
  focus?: SummaryFocus;
}

/** /api/summary with site=, platform= or user=: the focus is always there. */
export interface FocusedSummaryBody extends SummaryBody {
  focus: SummaryFocus;
}

/** A row of /api/users: the users report with what Microsoft Graph said. */
export interface DirectoryUserRow extends UserRow {
  displayName: string;
  userType: string;
  directory: string;
}

/** /api/uploads/{name}: the ledger entries of one blob. */
export interface UploadBody extends PageBody<UploadEntry> {
  blobName: string;
}

/** /api/health. */
export interface HealthBody {
  status: 'ok' | 'degraded' | 'unavailable';
  checkedAt: string;
  storage: { reachable: boolean; authentication: string; problem?: string };
  config: {
    valid: boolean;
    present: string[];
    problems: Array<{ blob: string; message: string }>;
    fingerprint: string | null;
  };
  analysis: {
    lastRun: AnalysisRunStatus | null;
    pendingMarks: number | null;
    config: {
      fingerprint: string;
      recordedAt: string;
      remarking: Omit<ConfigRemarking, 'cursor'> | null;
      lastRemark: ConfigRemark | null;
    } | null;
  };
  collector: CollectorHealth | null;
  names: { lastRun: NamesRunStatus | null } | null;
  retention: { lastRun: RetentionRunStatus | null } | null;
}
