// The syntax tree of a query from @kusto/language-service-next (the real KQL grammar), for the test-side evaluator:
// parsing with syntax errors refused, and small helpers over the library's Bridge.NET objects.
import '@kusto/language-service-next/bridge.min.js';
import '@kusto/language-service-next/Kusto.Language.Bridge.min.js';

// The Bridge.NET library has no usable types: its nodes are used as `any`, behind these helpers.
const Kusto = (globalThis as any).Kusto.Language;

export type Node = any;

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
