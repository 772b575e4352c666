// The "Download CSV" button of every view: fetches the API's CSV of what is shown and saves it,
// with a byte order mark (bom=1) so that Excel shows accented names right; a short note next to
// the button says so.
import { saveText, type Query } from '../api.js';
import { h } from '../dom.js';
import type { ViewContext } from './context.js';

export const CSV_HELP = 'UTF-8 with BOM, so Excel shows accents';

let notes = 0;

/** The button and, after it, its help note (the button's description for screen readers). */
export function csvButton(
  ctx: ViewContext,
  label: string,
  path: string,
  query: Query,
  fileName: string,
): HTMLSpanElement {
  const noteId = `csv-help-${++notes}`;
  const button = h('button', { type: 'button', class: 'csv', 'aria-describedby': noteId }, label);
  const download = async (): Promise<void> => {
    button.disabled = true;
    ctx.status(`Preparing ${fileName}…`);
    try {
      saveText(await ctx.api.csv(path, { ...query, limit: 1000 }, 100, true), fileName);
      ctx.status(`Downloaded ${fileName}.`);
    } catch (error) {
      ctx.status(`Download failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      button.disabled = false;
    }
  };
  // download() never rejects: a failure is shown in the status line.
  button.addEventListener('click', () => void download());
  return h('span', { class: 'csv-download' }, button, h('span', { class: 'csv-help', id: noteId }, CSV_HELP));
}
