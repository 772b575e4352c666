// The syntax tree of a query from @kusto/language-service-next (the real KQL grammar), for the test-side evaluator:
// parsing with syntax errors refused, and small helpers over the library's Bridge.NET objects.
import '@kusto/language-service-next/bridge.min.js';
import '@kusto/language-service-next/Kusto.Language.Bridge.min.js';

/**
 * A node of the library's syntax tree (Bridge.NET objects without usable type declarations), typed with the
 * members the evaluator reads. Which members a node has depends on its kind (kind()); the evaluator checks the
 * kind before it reads them, and a missing child reads as null.
 */
export interface Node {
  readonly constructor: { readonly $$name: string };
  readonly TextStart: number;
  /** Tokens and keywords. */
  readonly Text: string;
  readonly IsToken: boolean;
  readonly SimpleName: string;
  readonly LiteralValue: unknown;
  readonly ChildCount: number;
  GetChild(index: number): Node | null;
  ToString(): string;
  /** Syntax lists. */
  readonly Count: number;
  getItem(index: number): Node;
  readonly Element: Node;
  readonly Expression: Node;
  readonly Expressions: Node;
  readonly Name: Node;
  readonly Operator: Node;
  readonly Left: Node;
  readonly Right: Node;
  readonly Token: Node;
  readonly ConditionClause: Node;
  readonly Condition: Node;
  readonly Parameters: Node;
  readonly ByClause: Node;
  readonly ArgumentList: Node;
  readonly Statements: Node;
  readonly Ordering: Node | null;
  readonly AscOrDescKeyword: Node | null;
  readonly NullsClause: Node | null;
  readonly Aggregates: Node;
  /** The two ends of `between (a .. b)`. */
  readonly First: Node;
  readonly Second: Node;
}

interface KustoLanguage {
  KustoCode: {
    Parse(query: string): {
      Syntax: Node;
      GetDiagnostics(): { Count: number; getItem(index: number): { Message: string; Start: number } };
    };
  };
}

// The Bridge.NET library registers itself on the global object.
const Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;

/** The syntax tree of `query`; throws on a syntax error. */
export function parseQuery(query: string): Node {
  const code = Kusto.KustoCode.Parse(query);
  const diagnostics = code.GetDiagnostics();
  if (diagnostics.Count > 0) {
    const d = diagnostics.getItem(0);
    throw new Error(`syntax error: ${String(d.Message)} at ${Number(d.Start)}`);
  }
  return code.Syntax;
}

/** The node's class without the namespace: PipeExpression, FilterOperator, ... */
export function kind(node: Node): string {
  return String(node.constructor.$$name).replace('Kusto.Language.Syntax.', '');
}

/** The elements of a SyntaxList (of SeparatedElements or of plain nodes). */
export function items(list: Node): Node[] {
  const out: Node[] = [];
  if (list === null || list === undefined) return out;
  for (let i = 0; i < Number(list.Count); i++) {
    const item = list.getItem(i);
    out.push(kind(item).startsWith('SeparatedElement') ? item.Element : item);
  }
  return out;
}

/** The identifier a NameDeclaration or NameReference holds. */
export function simpleName(node: Node): string {
  return String(node.SimpleName);
}

/** The error for syntax outside the evaluator's subset: never silently ignored. */
export function unsupported(what: string, node: Node): Error {
  return new Error(`unsupported: ${what} at ${Number(node.TextStart)}`);
}

/** The node's source text, for messages. */
export function text(node: Node): string {
  return String(node.ToString()).trim();
}

/** Argument `index` of a call or list; a missing one is outside the subset, never read as undefined. */
export function at(list: readonly Node[], index: number): Node {
  const node = list[index];
  if (node === undefined) throw new Error(`unsupported: a call without argument ${index + 1}`);
  return node;
}
