// The "Download CSV" button of every view: fetches the API's CSV of what is shown and saves it.
import { saveText, type Query } from '../api.js';
import { h } from '../dom.js';
import type { ViewContext } from './context.js';

export function csvButton(ctx: ViewContext, label: string, path: string, query: Query, fileName: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'csv' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    ctx.status(`Preparing ${fileName}…`);
    try {
      saveText(await ctx.api.csv(path, { ...query, limit: 1000 }), fileName);
      ctx.status(`Downloaded ${fileName}.`);
    } catch (error) {
      ctx.status(`Download failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
