// Test helper: KQL checked offline with @kusto/language-service-next against the Log Analytics tables of
// src/pipeline/logAnalytics/tables.json (syntax, table and column names, types): the errors a query would get.
import { LOG_TABLES, type ColumnType } from '../../src/pipeline/logAnalytics/tables.js';

// The library defines the global Kusto namespace when loaded (bridge first).
import '@kusto/language-service-next/bridge.min.js';
import '@kusto/language-service-next/Kusto.Language.Bridge.min.js';

// The members of the library used here, typed by hand: its own .d.ts (global Bridge.NET declarations) gives
// ColumnSymbol only its six-argument constructor, while the JavaScript takes the name and type alone.
/** A symbol of the library (scalar type, column, table, database), passed back to it as it is. */
type KustoSymbol = object;
interface KustoDiagnostic {
  Severity: string | null;
  Code: string | null;
  Message: string | null;
  Start: number;
  Length: number;
}
interface KustoLanguage {
  Symbols: {
    ScalarTypes: Record<'String' | 'Int' | 'Long' | 'Real' | 'Bool' | 'DateTime' | 'Dynamic', KustoSymbol>;
    TableSymbol: { $ctor4: new (name: string, columns: KustoSymbol[]) => KustoSymbol };
    ColumnSymbol: new (name: string, type: KustoSymbol) => KustoSymbol;
    DatabaseSymbol: { ctor: new (name: string, tables: KustoSymbol[]) => KustoSymbol };
  };
  GlobalState: { Default: { WithDatabase(database: KustoSymbol): KustoSymbol } };
  KustoCode: {
    ParseAndAnalyze(
      query: string,
      globals: KustoSymbol,
    ): { GetDiagnostics(): { Count: number; getItem(index: number): KustoDiagnostic } };
  };
}

const Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
const Symbols = Kusto.Symbols;

function scalarType(type: ColumnType): KustoSymbol {
  const types = Symbols.ScalarTypes;
  switch (type) {
    case 'string':
      return types.String;
    case 'int':
      return types.Int;
    case 'long':
      return types.Long;
    case 'real':
      return types.Real;
    case 'boolean':
      return types.Bool;
    case 'datetime':
      return types.DateTime;
    case 'dynamic':
      return types.Dynamic;
  }
}

let globals: KustoSymbol | undefined;
function workspace(): KustoSymbol {
  if (globals === undefined) {
    const tables = Object.values(LOG_TABLES).map(
      (t) =>
        new Symbols.TableSymbol.$ctor4(
          t.table,
          t.columns.map((c) => new Symbols.ColumnSymbol(c.name, scalarType(c.type))),
        ),
    );
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
    problems.push({
      code: String(d.Code),
      message: String(d.Message),
      at: query.slice(d.Start, d.Start + Math.max(1, d.Length)),
    });
  }
  return problems;
}

/** Names of the tables a query refers to (bare identifiers that name a known table). */
export function referencedTables(query: string): string[] {
  return Object.values(LOG_TABLES)
    .map((t) => t.table)
    .filter((name) => new RegExp(`\\b${name}\\b`).test(query));
}
