// Detection parameters: their documentation, and validation of user-supplied values onto the defaults.
import { DEFAULT_DETECTION_PARAMS, type DetectionParams } from './model.js';

/** One line per parameter (meaning and unit), for --help and the README. */
export const DETECTION_PARAM_DOCS: Readonly<Record<keyof DetectionParams, string>> = Object.freeze({
  overlapToleranceSeconds:
    'Seconds a re-join may start before the previous leave and still count as successive; also how far another device must extend on both sides of a leave to cover it (hand-off).',
  strongGapSeconds:
    'Largest re-join gap, in seconds, in the strong band (counted, high confidence on the same device).',
  rejoinWindowSeconds: 'Largest re-join gap, in seconds, counted as a drop (strong or probable band).',
  possibleWindowSeconds: 'Largest re-join gap, in seconds, reported as a possible drop (never counted in rates).',
  endGraceSeconds:
    'A leave this many seconds (or less) before the meeting-instance end is the meeting ending, not a drop.',
  massEventWindowSeconds:
    'Half-width, in seconds, of the window in which simultaneous drops form one mass event (all leaves within ± this).',
  massEventMinShare: "Share (0-1] of the meeting's human participants who must drop together for a mass event.",
  massEventMinPeople: 'Smallest number of human participants (integer) who must drop together for a mass event.',
  minSessions:
    'Rankings show a site/platform/user/day as "not enough data" below this many eligible sessions (integer).',
});

const PARAM_NAMES = Object.keys(DEFAULT_DETECTION_PARAMS) as Array<keyof DetectionParams>;

/** A plain decimal number written as text (e.g. from an app setting or a command-line flag). */
const NUMERIC_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Merges `input` onto DEFAULT_DETECTION_PARAMS and validates the result. Values may be numbers or
 * numeric strings; keys whose value is `undefined` are ignored. Throws an Error naming `source` and the
 * parameter for an unknown key, a non-numeric or negative value, or inconsistent bands.
 */
export function parseDetectionParams(input: Record<string, unknown>, source: string): DetectionParams {
  const params: DetectionParams = { ...DEFAULT_DETECTION_PARAMS };
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (!isParamName(key)) {
      const hint = closestName(key);
      throw new Error(
        `${source}: unknown detection parameter "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; ` +
          `known parameters: ${PARAM_NAMES.join(', ')}`,
      );
    }
    params[key] = toNumber(raw, key, source);
  }

  for (const name of PARAM_NAMES) {
    if (params[name] < 0) fail(source, name, `must be ≥ 0, got ${params[name]}`);
  }
  if (!(params.massEventMinShare > 0 && params.massEventMinShare <= 1)) {
    fail(source, 'massEventMinShare', `must be a share in (0, 1], got ${params.massEventMinShare}`);
  }
  if (!Number.isInteger(params.massEventMinPeople) || params.massEventMinPeople < 1) {
    fail(source, 'massEventMinPeople', `must be a whole number ≥ 1, got ${params.massEventMinPeople}`);
  }
  if (!Number.isInteger(params.minSessions)) {
    fail(source, 'minSessions', `must be a whole number ≥ 0, got ${params.minSessions}`);
  }
  if (params.strongGapSeconds > params.rejoinWindowSeconds) {
    fail(
      source,
      'strongGapSeconds',
      `(${params.strongGapSeconds}) must not exceed rejoinWindowSeconds (${params.rejoinWindowSeconds})`,
    );
  }
  if (params.rejoinWindowSeconds > params.possibleWindowSeconds) {
    fail(
      source,
      'rejoinWindowSeconds',
      `(${params.rejoinWindowSeconds}) must not exceed possibleWindowSeconds (${params.possibleWindowSeconds})`,
    );
  }
  return params;
}

function isParamName(key: string): key is keyof DetectionParams {
  return (PARAM_NAMES as string[]).includes(key);
}

function toNumber(raw: unknown, name: keyof DetectionParams, source: string): number {
  let value: number | undefined;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && NUMERIC_TEXT.test(raw)) value = Number(raw);
  if (value === undefined || !Number.isFinite(value)) {
    fail(source, name, `must be a finite number, got ${describe(raw)}`);
  }
  return value;
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  if (raw === null) return 'null';
  if (typeof raw === 'number') return String(raw);
  return typeof raw;
}

function fail(source: string, name: keyof DetectionParams, reason: string): never {
  throw new Error(`${source}: detection parameter "${name}" ${reason}`);
}

/** The known name nearest to a misspelt one (case-insensitive edit distance ≤ 3), if any. */
function closestName(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const name of PARAM_NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}
