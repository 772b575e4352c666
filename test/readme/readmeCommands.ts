// Finds the commands the README tells a reader to type: every line of a fenced sh/bash/shell/
// powershell block, and every inline code span (prose or table) that starts with a program name.
// Compound lines (`a && b`) are split so that each part is accounted for on its own.

export interface ReadmeCommand {
  /** The command, whitespace collapsed, trailing `# comment` removed. */
  text: string;
  /** 1-based line of the README where it starts. */
  line: number;
  where: 'block' | 'inline';
}

const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console', 'powershell', 'pwsh', 'ps1']);

/** Programs whose name starts an inline command (`teams-audit -d x.csv`, `az login`, …). */
const PROGRAMS = new Set([
  'teams-audit',
  'npx',
  'npm',
  'node',
  'curl',
  'az',
  'azd',
  'func',
  'apt-get',
  'sudo',
  'bash',
  'sh',
  'pwsh',
  'git',
  'eval',
]);
/** Scripts and PowerShell cmdlets also start commands, even without arguments. */
const SCRIPT = /^(\.\/)?(\.ci\/run|infra\/hooks\/\S+)$|^(Get|Set|New|Remove|Connect)-[A-Z]\w*$/;

/** `VAR=value ` assignments before the program (values without spaces, quoted, or a `<placeholder>`). */
const ASSIGNMENTS = /^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|<[^>]*>|\S*)\s+)*/;

/** Removes a trailing `# comment` that is outside quotes. */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Splits `a && b` (outside quotes) into its parts. */
export function splitCompound(command: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (command.startsWith('&&', i)) {
      parts.push(command.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(command.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Whether an inline code span is a command: a program name followed by arguments, or a script. */
export function isInlineCommand(span: string): boolean {
  const rest = span.replace(ASSIGNMENTS, '');
  const [program, ...args] = rest.split(/\s+/);
  if (program === undefined || program === '') return false;
  if (SCRIPT.test(program)) return true;
  return PROGRAMS.has(program) && args.length > 0;
}

export function extractCommands(markdown: string): ReadmeCommand[] {
  const lines = markdown.split(/\r?\n/);
  const commands: ReadmeCommand[] = [];
  const add = (text: string, line: number, where: ReadmeCommand['where']): void => {
    for (const part of splitCompound(collapse(text))) commands.push({ text: part, line, where });
  };
  // Prose is scanned a paragraph at a time: a code span may continue on the next line.
  let prose: { text: string; line: number } | undefined;
  const scanProse = (): void => {
    if (!prose) return;
    const { text, line } = prose;
    for (const match of text.matchAll(/`([^`]+)`/g)) {
      const span = collapse(match[1]!);
      const lineNo = line + (text.slice(0, match.index).match(/\n/g)?.length ?? 0);
      if (isInlineCommand(span)) add(span, lineNo, 'inline');
    }
    prose = undefined;
  };
  let fence: { shell: boolean } | undefined;
  let pending: { text: string; line: number } | undefined;
  let heredoc: { end: string; command: { text: string; line: number } } | undefined;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const opening = /^\s*```\s*(\S*)/.exec(raw);
    if (opening) {
      if (fence) {
        if (pending) add(pending.text, pending.line, 'block');
        pending = undefined;
        fence = undefined;
      } else {
        scanProse();
        fence = { shell: SHELL_FENCES.has(opening[1]!.toLowerCase()) };
      }
      return;
    }
    if (!fence) {
      // A span ends with its paragraph; a table row is a paragraph of its own.
      const tableRow = raw.trimStart().startsWith('|');
      if (raw.trim() === '' || tableRow) scanProse();
      if (raw.trim() === '') return;
      if (prose) prose.text += '\n' + raw;
      else prose = { text: raw, line: lineNo };
      if (tableRow) scanProse();
      return;
    }
    if (!fence.shell) return;
    // A here-document's lines are the input of the command that opened it, not commands.
    if (heredoc) {
      heredoc.command.text += ' ' + raw.trim();
      if (raw.trim() === heredoc.end) {
        add(heredoc.command.text, heredoc.command.line, 'block');
        heredoc = undefined;
      }
      return;
    }
    const text = stripComment(raw).trimEnd();
    const opensHeredoc = /<<-?\s*['"]?(\w+)['"]?/.exec(text);
    if (opensHeredoc && !pending) {
      heredoc = { end: opensHeredoc[1]!, command: { text, line: lineNo } };
      return;
    }
    if (pending) {
      pending.text += ' ' + text.replace(/\\$/, '');
    } else if (text.trim() !== '') {
      pending = { text: text.replace(/\\$/, ''), line: lineNo };
    }
    if (pending && !text.endsWith('\\')) {
      add(pending.text, pending.line, 'block');
      pending = undefined;
    }
  });
  scanProse();
  return commands;
}
