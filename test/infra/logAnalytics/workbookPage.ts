// An HTML page laid out like the workbook (not the Azure portal): the text item, the parameter pills, then each part
// in order with its title and width (customWidth 50 = half), a line chart for 'timechart', bars for 'barchart' and
// a grid for 'table' (inline SVG and HTML, nothing loaded). The selected meeting's row is highlighted and the
// drill-down below it shows its disconnections.
import type { WorkbookLayout, WorkbookPart } from './workbookLayout.js';
import type { PartResult, WorkbookSettings } from './workbookRun.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => cell(v)).join(', ');
  if (typeof value === 'string' && ISO.test(value)) return value.slice(0, 16).replace('T', ' ');
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function grid(result: PartResult, maxRows: number, selected?: { column: string; value: string }): string {
  const head = result.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = result.rows
    .slice(0, maxRows)
    .map((row) => {
      const isSelected = selected !== undefined && row[selected.column] === selected.value;
      const cells = result.columns
        .map((c) => {
          const v = row[c];
          return `<td class="${typeof v === 'number' ? 'num' : ''}" title="${esc(cell(v))}">${esc(cell(v))}</td>`;
        })
        .join('');
      return `<tr${isSelected ? ' class="selected"' : ''}>${cells}</tr>`;
    })
    .join('');
  const more = result.rows.length > maxRows ? `<div class="more">${result.rows.length - maxRows} more rows</div>` : '';
  const empty = result.rows.length === 0 ? '<div class="more">The query returned no results.</div>' : '';
  return `<div class="grid"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${more}${empty}`;
}

const COLORS = ['#0078d4', '#e3008c', '#498205', '#ca5010'];

/** As Azure's time and bar charts: the first column on the x axis, every numeric column after it a series. */
function series(result: PartResult): { labels: string[]; lines: Array<{ name: string; values: number[] }> } {
  const x = result.columns[0]!;
  const numeric = result.columns.filter((c) => c !== x && result.rows.some((r) => typeof r[c] === 'number'));
  return {
    labels: result.rows.map((r) => cell(r[x])),
    lines: numeric.map((name) => ({
      name,
      values: result.rows.map((r) => (typeof r[name] === 'number' ? r[name] : 0)),
    })),
  };
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

function chart(result: PartResult, kind: 'timechart' | 'barchart', width: number): string {
  const { labels, lines } = series(result);
  const height = 220;
  const left = 44;
  const bottom = 36;
  const plotW = width - left - 12;
  const plotH = height - bottom - 10;
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.values)));
  const yOf = (v: number): number => 10 + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const axis = ticks
    .map(
      (t) =>
        `<line x1="${left}" x2="${left + plotW}" y1="${yOf(t)}" y2="${yOf(t)}" class="gridline"/><text x="${left - 6}" y="${yOf(t) + 4}" class="tick" text-anchor="end">${+t.toFixed(2)}</text>`,
    )
    .join('');
  const n = Math.max(1, labels.length);
  const slot = plotW / n;
  const xOf = (i: number): number => left + slot * i + slot / 2;
  const labelEvery = Math.ceil(n / 10);
  const xLabels = labels
    .map((label, i) =>
      i % labelEvery === 0
        ? `<text x="${xOf(i)}" y="${height - bottom + 16}" class="tick" text-anchor="middle">${esc(kind === 'timechart' ? label.slice(5, 10) : label.replace(/^\d: /, ''))}</text>`
        : '',
    )
    .join('');
  const barWidth = (slot * 0.7) / Math.max(1, lines.length);
  const marks = lines
    .map((line, k) => {
      const color = COLORS[k % COLORS.length]!;
      if (kind === 'barchart')
        return line.values
          .map((v, i) => {
            const x = xOf(i) - slot * 0.35 + k * barWidth;
            return `<rect x="${x}" y="${yOf(v)}" width="${barWidth}" height="${yOf(0) - yOf(v)}" class="bar" fill="${color}"><title>${esc(labels[i]!)}: ${v}</title></rect><text x="${x + barWidth / 2}" y="${yOf(v) - 4}" class="value" text-anchor="middle">${v}</text>`;
          })
          .join('');
      const path = line.values
        .map((v, i) => `${i === 0 ? 'M' : 'L'}${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`)
        .join(' ');
      return `<path d="${path}" class="line" stroke="${color}"/>${line.values.map((v, i) => `<circle cx="${xOf(i)}" cy="${yOf(v)}" r="3" fill="${color}"><title>${esc(labels[i]!)}: ${v}</title></circle>`).join('')}`;
    })
    .join('');
  const legend = lines
    .map((l, k) => `<span class="swatch" style="background:${COLORS[k % COLORS.length]!}"></span>${esc(l.name)}`)
    .join(' &nbsp; ');
  return `<svg width="${width}" height="${height}" role="img" aria-label="${esc(lines.map((l) => l.name).join(', '))}">${axis}${xLabels}${marks}</svg><div class="legend">${legend}</div>`;
}

const PAGE_WIDTH = 1320;

function part(p: WorkbookPart, result: PartResult | undefined, settings: WorkbookSettings): string {
  const half = p.customWidth === '50';
  const width = half ? PAGE_WIDTH / 2 - 34 : PAGE_WIDTH - 36;
  let body: string;
  if (result === undefined) body = '<div class="more">Hidden until a meeting is selected.</div>';
  else if (p.visualization === 'table') {
    const selected =
      p.exportParameterName !== undefined && settings.meetingId !== undefined
        ? { column: p.exportParameterName, value: settings.meetingId }
        : undefined;
    body = grid(result, half ? 8 : p.visibleWhen !== undefined ? 10 : 6, selected);
  } else body = chart(result, p.visualization, width);
  return `<section class="part ${half ? 'half' : 'full'}" data-part="${esc(p.name)}"><h2>${esc(p.title)}</h2>${body}</section>`;
}

function markdown(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.startsWith('## ') ? `<h1>${esc(line.slice(3))}</h1>` : `<p>${esc(line)}</p>`))
    .join('');
}

function duration(ms: number): string {
  return `Last ${Math.round(ms / 86_400_000)} days`;
}

const STYLE = `
body { margin: 0; background: #faf9f8; font: 12px 'Segoe UI', 'DejaVu Sans', Arial, sans-serif; color: #323130; }
main { width: ${PAGE_WIDTH}px; padding: 12px 20px; box-sizing: border-box; }
h1 { font-size: 20px; font-weight: 600; margin: 4px 0; }
p { margin: 2px 0 8px; color: #605e5c; }
.note { font-size: 11px; color: #8a8886; }
.pills { display: flex; gap: 8px; margin: 8px 0 12px; }
.pill { border: 1px solid #8a8886; border-radius: 12px; padding: 3px 10px; background: #fff; }
.pill b { font-weight: 600; }
.parts { display: flex; flex-wrap: wrap; gap: 12px; }
.part { background: #fff; border: 1px solid #edebe9; border-radius: 2px; padding: 8px 10px; box-sizing: border-box; overflow: hidden; }
.full { width: 100%; }
.half { width: calc(50% - 6px); }
h2 { font-size: 14px; font-weight: 600; margin: 0 0 8px; }
table { border-collapse: collapse; min-width: 100%; }
th { text-align: left; font-weight: 600; border-bottom: 1px solid #c8c6c4; padding: 3px 6px; white-space: nowrap; }
td { border-bottom: 1px solid #f3f2f1; padding: 3px 6px; white-space: nowrap; max-width: 230px; overflow: hidden; text-overflow: ellipsis; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.selected td { background: #deecf9; }
.more { color: #8a8886; padding: 4px 6px; }
.gridline { stroke: #edebe9; }
.tick { fill: #605e5c; font-size: 10px; }
.value { fill: #323130; font-size: 10px; }
.line { fill: none; stroke-width: 2; }
.grid { overflow-x: auto; }
.legend { color: #605e5c; margin-top: 2px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
`;

export function workbookPage(
  layout: WorkbookLayout,
  results: ReadonlyMap<string, PartResult>,
  settings: WorkbookSettings,
  note: string,
): string {
  const pills = layout.parameters
    .map((p) => {
      const value =
        p.choices.length > 0
          ? duration(settings.timeRangeMs)
          : p.name === 'MinSessions'
            ? String(settings.minSessions)
            : p.defaultValue;
      return `<span class="pill">${esc(p.label)}: <b>${esc(value)}</b></span>`;
    })
    .join('');
  const parts = layout.parts
    .filter((p) => p.visibleWhen === undefined || settings.meetingId !== undefined)
    .map((p) => part(p, results.get(p.name), settings))
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Teams meeting drops (sample)</title><style>${STYLE}</style></head><body><main>${markdown(layout.text)}<p class="note">${esc(note)}</p><div class="pills">${pills}</div><div class="parts">${parts}</div></main></body></html>`;
}
