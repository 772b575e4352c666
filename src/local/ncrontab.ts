// Six-field NCRONTAB schedules (second minute hour day month weekday) as the Functions timer
// trigger reads them: parsing with clear errors, and the next occurrence after a given time (UTC).

export interface NcrontabSchedule {
  /** The expression as written. */
  readonly expression: string;
  /** The next occurrence strictly after `after` (UTC, whole seconds), or undefined if none within 10 years. */
  next(after: Date): Date | undefined;
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  {
    label: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { label: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

export class NcrontabError extends Error {
  override name = 'NcrontabError';
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) {
    throw new NcrontabError(`Schedule "${expression}": "${text}" is not a valid ${spec.label}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new NcrontabError(`Schedule "${expression}": ${spec.label} ${value} is out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

/** One field: `*`, `*\/n`, `a`, `a-b`, `a-b/n`, `a/n` (from a to max), and comma lists of those. */
function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') throw new NcrontabError(`Schedule "${expression}": empty list item in the ${spec.label} field`);
    const [rangeText = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw new NcrontabError(`Schedule "${expression}": "${part}" has more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new NcrontabError(
          `Schedule "${expression}": step "${stepText}" in the ${spec.label} field must be a positive integer`,
        );
      }
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (rangeText === '*') {
      low = spec.min;
      high = spec.max;
    } else if (rangeText.includes('-')) {
      const [a = '', b = '', more] = rangeText.split('-');
      if (more !== undefined) throw new NcrontabError(`Schedule "${expression}": "${rangeText}" is not a valid range`);
      low = parseValue(a, spec, expression);
      high = parseValue(b, spec, expression);
      if (low > high) {
        throw new NcrontabError(
          `Schedule "${expression}": range "${rangeText}" in the ${spec.label} field runs backwards`,
        );
      }
    } else {
      low = parseValue(rangeText, spec, expression);
      high = stepText !== undefined ? spec.max : low;
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

const MAX_SEARCH_YEARS = 10;

/**
 * Parses a 6-field NCRONTAB expression. Day of month and day of week must BOTH match (NCrontab's
 * rule, unlike Vixie cron's "either"). Times are UTC, as on Flex Consumption.
 */
export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new NcrontabError(
      `Schedule "${expression}" has ${parts.length} field(s); a timer schedule needs 6: second minute hour day month day-of-week (e.g. "0 */10 * * * *")`,
    );
  }
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!, expression));
  const [seconds, minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];

  return {
    expression,
    next(after: Date): Date | undefined {
      // Start at the next whole second, then skip forward field by field (largest unit first).
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + MAX_SEARCH_YEARS * 366 * 24 * 3600 * 1000;
      while (t.getTime() <= limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        if (!seconds.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
          continue;
        }
        return t;
      }
      return undefined;
    },
  };
}
