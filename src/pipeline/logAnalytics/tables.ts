// The Log Analytics custom tables as the code sees them: tables.json is the one source (the Bicep module reads it
// with loadJsonContent for the tables and the data collection rule's streams; the KQL check reads it too).
import schema from './tables.json';

/** Log Analytics column types used by the tables. */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

export interface ColumnDefinition {
  name: string;
  type: ColumnType;
  description: string;
}

export interface TableDefinition {
  /** Custom table name (ends in _CL). */
  table: string;
  /** Stream declared in the data collection rule (Custom-…), the one rows are sent to. */
  stream: string;
  description: string;
  /** The deployment's retention period the table follows (RETENTION_RESULTS_DAYS or RETENTION_AGGREGATES_DAYS). */
  retention: 'results' | 'aggregates';
  /** Columns that hold a person's identifier (UPN or pseudonym): what an erasure purges by. */
  personColumns: string[];
  columns: ColumnDefinition[];
}

export type TableKind = 'meetings' | 'disconnections' | 'siteDropRates';

export const LOG_TABLES: Readonly<Record<TableKind, TableDefinition>> = {
  meetings: schema.tables.meetings as TableDefinition,
  disconnections: schema.tables.disconnections as TableDefinition,
  siteDropRates: schema.tables.siteDropRates as TableDefinition,
};
