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

/** The /24 (IPv4) or /48 (IPv6) network of an address, '' when there is none. */
export function subnetOf(ip: string): string {
  if (ip === '') return '';
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    const groups = expandIpv6(ip);
    return groups === undefined ? ip : `${groups.slice(0, 3).join(':')}::/48`;
  }
  return ip;
}

function expandIpv6(ip: string): string[] | undefined {
  const [head, tail, extra] = ip.toLowerCase().split('::');
  if (extra !== undefined) return undefined;
  const left = head === '' || head === undefined ? [] : head.split(':');
  const right = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? left.length !== 8 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => g.replace(/^0+(?=.)/, '')) : undefined;
}
