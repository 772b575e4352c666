// The workbook as infra/modules/logAnalytics.bicep defines it, read from the Bicep text: its items in order (title
// text, parameters, query parts with their title, visualization and width) and each part's query assembled exactly
// as the Bicep does ('${preamble}\n${loadTextContent(...)}'). For the meaning test and the rendering.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../bicepParser.js';

export const WORKBOOK_BICEP = join(REPO_ROOT, 'infra', 'modules', 'logAnalytics.bicep');

export interface WorkbookParameter {
  name: string;
  label: string;
  /** Default value: milliseconds for a time range, the text for a plain parameter. */
  defaultValue: string;
  /** Time range choices (milliseconds); empty for a plain parameter. */
  choices: number[];
}

export interface WorkbookPart {
  name: string;
  title: string;
  visualization: 'table' | 'timechart' | 'barchart';
  /** '50' for half the width; undefined for the full width. */
  customWidth?: string;
  /** The query with parameters still in {Name} form. */
  query: string;
  /** A selected row sets this parameter (the column of the same name). */
  exportParameterName?: string;
  /** Shown only when this parameter is set. */
  visibleWhen?: string;
  /** The query reads rows sent within this many milliseconds before now (timeContext). */
  timeRangeMs: number;
}

export interface WorkbookLayout {
  /** The markdown of the text item. */
  text: string;
  parameters: WorkbookParameter[];
  parts: WorkbookPart[];
}

function one(block: string, pattern: RegExp, what: string): string {
  const m = pattern.exec(block);
  if (m === null) throw new Error(`workbook item without ${what}: ${block.slice(0, 120)}`);
  return m[1]!;
}

/** The Bicep string literal's content with its escapes undone. */
function unescape(literal: string): string {
  return literal.replace(/\\n/g, '\n').replace(/\\'/g, "'").replace(/\\\\/g, '\\');
}

export function readWorkbookLayout(path = WORKBOOK_BICEP): WorkbookLayout {
  const bicep = readFileSync(path, 'utf8');
  const load = (relative: string): string => readFileSync(join(dirname(path), relative), 'utf8');
  const preamble = load(one(bicep, /^var preamble = loadTextContent\('([^']+)'\)$/m, 'the preamble'));
  const timeRangeMs = Number(one(bicep, /^var workbookQuery = \{[\s\S]*?durationMs: (\d+)/m, 'a timeContext'));
  const section = one(
    bicep,
    /^var workbook = \{\n {2}version: 'Notebook\/1\.0'\n {2}items: \[\n([\s\S]*?)\n {2}\]\n/m,
    'items',
  );
  // Items are the blocks opened and closed at four spaces of indentation.
  const blocks = section.split(/^ {4}\}\n/m).filter((b) => b.trim() !== '');
  const layout: WorkbookLayout = { text: '', parameters: [], parts: [] };
  for (const block of blocks) {
    const type = Number(one(block, /^ {6}type: (\d+)$/m, 'a type'));
    if (type === 1) layout.text = unescape(one(block, /json: '((?:[^'\\]|\\.)*)'/, 'text'));
    else if (type === 9) {
      for (const p of block.split(/^ {10}\{\n/m).slice(1)) {
        const durations = [...p.matchAll(/durationMs: (\d+)/g)].map((m) => Number(m[1]));
        const plain = /value: string\((\w+)\)|value: '([^']*)'/.exec(p);
        // string(alertMinSessions): the default of that Bicep parameter.
        const fromParam =
          plain?.[1] === undefined
            ? undefined
            : one(bicep, new RegExp(`^param ${plain[1]} \\w+ = (\\S+)$`, 'm'), plain[1]);
        const defaultValue = durations.length > 0 ? String(durations[0]) : (fromParam ?? plain?.[2] ?? '');
        layout.parameters.push({
          name: one(p, /name: '([^']+)'/, 'a parameter name'),
          label: one(p, /label: '([^']+)'/, 'a label'),
          defaultValue,
          choices: durations.slice(1),
        });
      }
    } else if (type === 3) {
      const template = one(block, /^ {8}query: '(.*)'$/m, 'a query');
      const query = unescape(template)
        .replace(/\$\{preamble\}/g, () => preamble)
        .replace(/\$\{loadTextContent\('([^']+)'\)\}/g, (_m, file: string) => load(file));
      if (query.includes('${')) throw new Error(`query template not understood: ${template}`);
      const part: WorkbookPart = {
        name: one(block, /^ {6}name: '([^']+)'$/m, 'a name'),
        title: unescape(one(block, /title: '((?:[^'\\]|\\.)*)'/, 'a title')),
        visualization: one(block, /visualization: '(\w+)'/, 'a visualization') as WorkbookPart['visualization'],
        query,
        timeRangeMs,
      };
      const width = /^ {6}customWidth: '(\d+)'$/m.exec(block);
      if (width) part.customWidth = width[1]!;
      const exported = /exportParameterName: '(\w+)'/.exec(block);
      if (exported) part.exportParameterName = exported[1]!;
      const visible = /conditionalVisibility: \{\s*parameterName: '(\w+)'/.exec(block);
      if (visible) part.visibleWhen = visible[1]!;
      layout.parts.push(part);
    } else throw new Error(`workbook item of type ${type} not understood`);
  }
  return layout;
}

/** Replaces {Name} and {Name:start}/{Name:end} as the workbook does: time range bounds as ISO 8601 text. */
export function substituteParameters(query: string, values: Record<string, string>): string {
  const out = query.replace(/\{(\w+)(?::(\w+))?\}/g, (whole, name: string, sub: string | undefined) => {
    const key = sub === undefined ? name : `${name}:${sub}`;
    const value = values[key];
    if (value === undefined) throw new Error(`no value for the workbook parameter ${whole}`);
    return value;
  });
  return out;
}

/** The alert rule's query as the Bicep assembles it, with its parameters' defaults or the values given. */
export function readAlertQuery(values: Record<string, number> = {}, path = WORKBOOK_BICEP): string {
  const bicep = readFileSync(path, 'utf8');
  const template = one(bicep, /^var alertQuery = '(.*)'$/m, 'the alert query');
  const query = unescape(template)
    .replace(/\$\{loadTextContent\('([^']+)'\)\}/g, (_m, file: string) =>
      readFileSync(join(dirname(path), file), 'utf8'),
    )
    .replace(/\$\{(\w+)\}/g, (_m, name: string) =>
      String(values[name] ?? one(bicep, new RegExp(`^param ${name} \\w+ = (\\S+)$`, 'm'), name)),
    );
  if (query.includes('${')) throw new Error(`alert query template not understood: ${template}`);
  return query;
}
