// Number, percentage, duration and time formatting for the dashboard (fixed English locale, UTC times,
// so what a test or a shared screenshot shows does not depend on the viewer's settings).

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** A percentage as the API gives it (already × 100), two decimals: `2.41 %`. */
export function formatPct(pct: number): string {
  return `${decimal.format(pct)} %`;
}

/** Seconds as `45 s`, `12 min 5 s`, `3 h 20 min`. */
export function formatDuration(seconds: number): string {
  const total = Math.round(Math.max(0, seconds));
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours === 0) return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** A gap in seconds, keeping the sign and up to one decimal (`-4 s`, `37.5 s`). */
export function formatGap(seconds: number): string {
  const rounded = Math.round(seconds * 10) / 10;
  return `${rounded} s`;
}

/** ISO UTC text → `2026-03-02 08:15:03`; '' stays ''. */
export function formatTime(iso: string): string {
  if (iso === '') return '';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : iso;
}

/** Epoch ms → `08:15:03` (UTC). */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Epoch ms → `08:15` (UTC). */
export function clockMinute(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
