// Test helper: KQL checked offline with @kusto/language-service-next against the Log Analytics tables of
// src/pipeline/logAnalytics/tables.json (syntax, table and column names, types): the errors a query would get.
import { LOG_TABLES, type ColumnType } from '../../src/pipeline/logAnalytics/tables.js';

// The library defines the global Kusto namespace when loaded (bridge first).
import '@kusto/language-service-next/bridge.min.js';
import '@kusto/language-service-next/Kusto.Language.Bridge.min.js';

// The Bridge.NET library has no usable types: its objects are used as `any`.
const Kusto = (globalThis as any).Kusto.Language;
const Symbols = Kusto.Symbols;

function scalarType(type: ColumnType): unknown {
  const types = Symbols.ScalarTypes;
  switch (type) {
    case 'string': return types.String;
    case 'int': return types.Int;
    case 'long': return types.Long;
    case 'real': return types.Real;
    case 'boolean': return types.Bool;
    case 'datetime': return types.DateTime;
    case 'dynamic': return types.Dynamic;
  }
}

let globals: unknown;
function workspace(): unknown {
  if (globals === undefined) {
    const tables = Object.values(LOG_TABLES).map((t) => new Symbols.TableSymbol.$ctor4(t.table, t.columns.map((c) => new Symbols.ColumnSymbol(c.name, scalarType(c.type)))));
    globals = Kusto.GlobalState.Default.WithDatabase(new Symbols.DatabaseSymbol.ctor('workspace', tables));
  }
  return globals;
}

export interface KqlProblem {
  code: string;
  message: string;
  /** The text the problem points at. */
  at: string;
}

/** Errors (not warnings or suggestions) of a query against the workspace's tables. */
export function kqlErrors(query: string): KqlProblem[] {
  const code = Kusto.KustoCode.ParseAndAnalyze(query, workspace());
  const diagnostics = code.GetDiagnostics();
  const problems: KqlProblem[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (String(d.Severity) !== 'Error') continue;
    problems.push({ code: String(d.Code), message: String(d.Message), at: query.slice(d.Start, d.Start + Math.max(1, d.Length)) });
  }
  return problems;
}

/** Names of the tables a query refers to (bare identifiers that name a known table). */
export function referencedTables(query: string): string[] {
  return Object.values(LOG_TABLES).map((t) => t.table).filter((name) => new RegExp(`\\b${name}\\b`).test(query));
}
