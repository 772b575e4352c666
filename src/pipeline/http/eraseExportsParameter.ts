// The one query parameter of DELETE /api/privacy/users/{objectIdOrUpn}: `exports=rewrite` (the default) rewrites
// the export blobs naming the person without their records; `exports=keep` leaves them and lists them.
import { EXPORT_ERASURE_MODES, type ExportErasureMode } from '../../storage/exportErasure.js';
import { badParameter } from './types.js';

export const EXPORTS_PARAMETER = 'exports';

/** The export mode asked for; 400 for any other parameter, a repeated one or an unknown value. */
export function exportErasureMode(query: URLSearchParams | Record<string, string | undefined>): ExportErasureMode {
  const entries: Array<[string, string | undefined]> =
    query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
  const other = entries.find(([name]) => name !== EXPORTS_PARAMETER);
  if (other !== undefined)
    throw badParameter(
      other[0],
      `unknown parameter "${other[0]}" for DELETE /api/privacy/users/{objectIdOrUpn} (${EXPORTS_PARAMETER}=${EXPORT_ERASURE_MODES.join(' or ')}); it accepts: ${EXPORTS_PARAMETER}`,
      'UnknownParameter',
    );
  const values = entries.map(([, v]) => v ?? '');
  if (values.length === 0) return 'rewrite';
  if (values.length > 1) throw badParameter(EXPORTS_PARAMETER, `give "${EXPORTS_PARAMETER}" once`);
  const mode = EXPORT_ERASURE_MODES.find((m) => m === values[0]);
  if (mode === undefined)
    throw badParameter(
      EXPORTS_PARAMETER,
      `"${EXPORTS_PARAMETER}" must be ${EXPORT_ERASURE_MODES.map((m) => `"${m}"`).join(' or ')} ` +
        '(rewrite: the export blobs naming the person are rewritten without their records; keep: they are listed only)',
    );
  return mode;
}
