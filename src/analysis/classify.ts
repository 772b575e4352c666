// Participant/client classification from data-driven rules (classificationRules.json plus user
// rule files), device keys, IP normalisation and site lookup for each session.
import type { RE2JS } from 're2js';
import type { SessionRecord } from '../audit/records.js';
import { participantKey } from '../audit/participantKey.js';
import { PARTICIPANT_CLASSES, type ClassifiedSession, type ClientPlatform, type ParticipantClass } from './model.js';
import { parseIp } from './ip.js';
import type { SiteMap } from './siteMap.js';
import defaultRulesJson from './classificationRules.json';

/**
 * One rule. All given conditions must hold (AND); within one condition any listed value may
 * match (OR). All comparisons ignore case. A condition on an empty field does not match,
 * except a deviceInformationRegex that matches the empty string.
 */
export interface ClassificationRule {
  /** Reported as the reason (ClassifiedSession.classReason). */
  name: string;
  /** Attendees[].RecipientType, exact. */
  recipientType?: string[];
  /** UserAgent starts with one of these. */
  userAgentPrefix?: string[];
  /** UserAgent contains one of these. */
  userAgentContains?: string[];
  /** DeviceInformation contains one of these. */
  deviceInformation?: string[];
  /** DeviceInformation matches this RE2 regular expression (unanchored search). */
  deviceInformationRegex?: string;
  /** Attendees[].DisplayName, exact (e.g. an application id). */
  displayName?: string[];
  /** Attendees[].DisplayName starts with one of these (e.g. teamsvisitor:). */
  displayNamePrefix?: string[];
  /** Required in participant rules; not allowed in platform rules. */
  participantClass?: ParticipantClass;
  /** Required in platform rules; optional in participant rules, where it takes precedence. */
  platform?: ClientPlatform;
  /** Free text for people reading the file; ignored. */
  comment?: string;
}

export interface ClassificationRules {
  participant: ClassificationRule[];
  platform: ClassificationRule[];
}

const PLATFORMS: readonly ClientPlatform[] = [
  'windows', 'macOS', 'iOS', 'android', 'web', 'linux', 'ipPhone', 'roomSystem', 'surfaceHub', 'pstn', 'service', 'unknown',
];
const LIST_FIELDS = [
  'recipientType', 'userAgentPrefix', 'userAgentContains', 'deviceInformation', 'displayName', 'displayNamePrefix',
] as const;
const RULE_KEYS = new Set<string>([
  'name', ...LIST_FIELDS, 'deviceInformationRegex', 'participantClass', 'platform', 'comment',
]);

/** Longest deviceInformationRegex accepted. */
const MAX_RULE_REGEX_LENGTH = 1000;

/**
 * Parses and validates a rules file: `{ "participant": [rule…], "platform": [rule…] }` (either
 * list may be missing). Throws an Error naming the file, the JSON path and the reason.
 */
export function parseRules(json: string, file: string): ClassificationRules {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateRules(value, file);
}

/** A compiled deviceInformationRegex (case-insensitive). */
interface DeviceRegex {
  test(s: string): boolean;
}

/**
 * How a deviceInformationRegex is compiled: RE2 (linear time whatever the pattern) for rules a user
 * supplies; the JavaScript engine for the built-in rules, whose fixed patterns (word lists between \b)
 * cannot backtrack badly. re2js is loaded only for user patterns: building its Unicode tables costs
 * about 7 MB of memory. test/analysis/classify.test.ts checks both engines agree on the built-in patterns.
 */
type RegexEngine = (pattern: string) => DeviceRegex;

const re2Engine: RegexEngine = (pattern) => {
  const { RE2JS: Re2 } = require('re2js') as { RE2JS: typeof RE2JS };
  return Re2.compile(pattern, Re2.CASE_INSENSITIVE);
};
const builtInEngine: RegexEngine = (pattern) => new RegExp(pattern, 'i');

function validateRules(value: unknown, file: string, engine: RegexEngine = re2Engine): ClassificationRules {
  const fail = (path: string, reason: string): never => {
    throw new Error(`${file}: ${path}: ${reason}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('$', 'must be an object with "participant" and/or "platform" lists');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'participant' && key !== 'platform' && key !== 'comment') {
      fail(`$.${key}`, 'unknown key (expected "participant", "platform" or "comment")');
    }
  }
  const obj = value as Record<string, unknown>;
  const readList = (kind: 'participant' | 'platform'): ClassificationRule[] => {
    const list = obj[kind];
    if (list === undefined) return [];
    if (!Array.isArray(list)) return fail(`$.${kind}`, 'must be a list of rules');
    return list.map((raw, i) => validateRule(raw, kind, `$.${kind}[${i}]`, fail, engine));
  };
  return { participant: readList('participant'), platform: readList('platform') };
}

function validateRule(
  raw: unknown,
  kind: 'participant' | 'platform',
  path: string,
  fail: (path: string, reason: string) => never,
  engine: RegexEngine,
): ClassificationRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(path, 'a rule must be an object');
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RULE_KEYS.has(key)) fail(`${path}.${key}`, `unknown key (allowed: ${[...RULE_KEYS].join(', ')})`);
  }
  if (typeof r.name !== 'string' || r.name.trim() === '') fail(`${path}.name`, 'must be a non-empty string');
  const rule: ClassificationRule = { name: (r.name as string).trim() };
  let conditions = 0;
  for (const field of LIST_FIELDS) {
    const v = r[field];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0) fail(`${path}.${field}`, 'must be a non-empty list of strings');
    (v as unknown[]).forEach((s, i) => {
      if (typeof s !== 'string' || s.trim() === '') fail(`${path}.${field}[${i}]`, 'must be a non-empty string');
    });
    rule[field] = v as string[];
    conditions++;
  }
  if (r.deviceInformationRegex !== undefined) {
    const re = r.deviceInformationRegex;
    if (typeof re !== 'string' || re === '') fail(`${path}.deviceInformationRegex`, 'must be a non-empty string');
    if ((re as string).length > MAX_RULE_REGEX_LENGTH) {
      fail(`${path}.deviceInformationRegex`, `longer than ${MAX_RULE_REGEX_LENGTH} characters`);
    }
    try {
      engine(re as string);
    } catch (e) {
      fail(`${path}.deviceInformationRegex`, `not a valid RE2 regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
    rule.deviceInformationRegex = re as string;
    conditions++;
  }
  if (conditions === 0) {
    fail(path, `rule "${rule.name}" has no condition (give at least one of ${[...LIST_FIELDS, 'deviceInformationRegex'].join(', ')})`);
  }
  if (r.participantClass !== undefined) {
    if (kind === 'platform') fail(`${path}.participantClass`, 'not allowed in a platform rule (put the rule in "participant")');
    if (!PARTICIPANT_CLASSES.includes(r.participantClass as ParticipantClass)) {
      fail(`${path}.participantClass`, `must be one of ${PARTICIPANT_CLASSES.join(', ')}`);
    }
    rule.participantClass = r.participantClass as ParticipantClass;
  } else if (kind === 'participant') {
    fail(`${path}.participantClass`, 'required in a participant rule');
  }
  if (r.platform !== undefined) {
    if (!PLATFORMS.includes(r.platform as ClientPlatform)) fail(`${path}.platform`, `must be one of ${PLATFORMS.join(', ')}`);
    rule.platform = r.platform as ClientPlatform;
  } else if (kind === 'platform') {
    fail(`${path}.platform`, 'required in a platform rule');
  }
  if (r.comment !== undefined) {
    if (typeof r.comment !== 'string') fail(`${path}.comment`, 'must be a string');
    rule.comment = r.comment as string;
  }
  return rule;
}

/** The built-in rules (src/analysis/classificationRules.json). */
export const DEFAULT_RULES: ClassificationRules = deepFreeze(validateRules(defaultRulesJson, 'classificationRules.json', builtInEngine));

/** The rule objects of DEFAULT_RULES: their regexes run on the JavaScript engine. */
const BUILT_IN_RULES: ReadonlySet<ClassificationRule> = new Set([...DEFAULT_RULES.participant, ...DEFAULT_RULES.platform]);

/** The built-in rules' patterns, for the test that compares the two engines. */
export function builtInDevicePatterns(): string[] {
  return [...BUILT_IN_RULES].flatMap((r) => (r.deviceInformationRegex === undefined ? [] : [r.deviceInformationRegex]));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** User rules are tried before the base rules (DEFAULT_RULES unless given). */
export function mergeRules(user: ClassificationRules, base: ClassificationRules = DEFAULT_RULES): ClassificationRules {
  return {
    participant: [...user.participant, ...base.participant],
    platform: [...user.platform, ...base.platform],
  };
}

/** A rule with its strings lower-cased and its regex compiled. */
interface CompiledRule {
  rule: ClassificationRule;
  recipientType?: string[];
  userAgentPrefix?: string[];
  userAgentContains?: string[];
  deviceInformation?: string[];
  deviceRegex?: DeviceRegex;
  displayName?: string[];
  displayNamePrefix?: string[];
  hasDisplayNameCondition: boolean;
}

function compileRule(rule: ClassificationRule): CompiledRule {
  const lower = (list: string[] | undefined): string[] | undefined => list?.map((s) => s.trim().toLowerCase());
  const c: CompiledRule = {
    rule,
    hasDisplayNameCondition: rule.displayName !== undefined || rule.displayNamePrefix !== undefined,
  };
  for (const field of LIST_FIELDS) {
    const v = lower(rule[field]);
    if (v !== undefined) c[field] = v;
  }
  if (rule.deviceInformationRegex !== undefined) {
    c.deviceRegex = (BUILT_IN_RULES.has(rule) ? builtInEngine : re2Engine)(rule.deviceInformationRegex);
  }
  return c;
}

/** Lower-cased, trimmed strings of one session that the rules look at. */
interface SessionStrings {
  recipientType: string;
  userAgent: string;
  deviceInformation: string;
  /** DeviceInformation trimmed, original case, for regexes. */
  deviceInformationRaw: string;
}

/** True when every condition of the rule other than the display-name ones holds. */
function matchesWithoutDisplayName(r: CompiledRule, s: SessionStrings): boolean {
  if (r.recipientType !== undefined && !r.recipientType.includes(s.recipientType)) return false;
  if (r.userAgentPrefix !== undefined && !(s.userAgent !== '' && r.userAgentPrefix.some((p) => s.userAgent.startsWith(p)))) return false;
  if (r.userAgentContains !== undefined && !(s.userAgent !== '' && r.userAgentContains.some((p) => s.userAgent.includes(p)))) return false;
  if (r.deviceInformation !== undefined && !(s.deviceInformation !== '' && r.deviceInformation.some((p) => s.deviceInformation.includes(p)))) {
    return false;
  }
  if (r.deviceRegex !== undefined && !r.deviceRegex.test(s.deviceInformationRaw)) return false;
  return true;
}

function matchesDisplayName(r: CompiledRule, displayNameLower: string): boolean {
  if (r.displayName !== undefined && !(displayNameLower !== '' && r.displayName.includes(displayNameLower))) return false;
  if (r.displayNamePrefix !== undefined && !(displayNameLower !== '' && r.displayNamePrefix.some((p) => displayNameLower.startsWith(p)))) {
    return false;
  }
  return true;
}

/**
 * Rules that can still apply to one (recipientType, userAgent, deviceInformation) tuple, in
 * order: those whose other conditions hold, up to and including the first that has no
 * display-name condition (it always applies, so nothing after it can).
 */
interface Plan {
  participant: CompiledRule[];
  platform: CompiledRule[];
  /** Some rule above has a display-name condition. */
  needsDisplayName: boolean;
  /** deviceKey when the session has no DeviceId. */
  deviceKey: string;
}

function candidates(rules: CompiledRule[], s: SessionStrings): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const r of rules) {
    if (!matchesWithoutDisplayName(r, s)) continue;
    out.push(r);
    if (!r.hasDisplayNameCondition) break;
  }
  return out;
}

/** First token of the user agent: the text before '(' or '/', e.g. "CallSignalingAgent". */
export function clientFamily(userAgent: string): string {
  const cut = userAgent.search(/[(/]/);
  return (cut < 0 ? userAgent : userAgent.slice(0, cut)).trim().replace(/\s+/g, ' ');
}

/** `dev:<normalised DeviceInformation or ?>|<client family>`: the device key without a DeviceId. */
export function deviceKeyWithoutId(deviceInformation: string, userAgent: string): string {
  const device = deviceInformation.trim().replace(/\s+/g, ' ').toLowerCase();
  return `dev:${device === '' ? '?' : device}|${clientFamily(userAgent)}`;
}

const PLAN_CACHE_LIMIT = 100_000;
const UNKNOWN_TABLE_LIMIT = 1000;

export class SessionClassifier {
  private readonly participantRules: CompiledRule[];
  private readonly platformRules: CompiledRule[];
  private readonly siteMap: SiteMap | undefined;
  /** recipientType → userAgent → deviceInformation → plan. */
  private readonly plans = new Map<string, Map<string, Map<string, Plan>>>();
  private planCount = 0;
  private readonly unknownUserAgents = new Map<string, number>();
  private readonly unknownDeviceInformation = new Map<string, number>();

  constructor(options: { rules?: ClassificationRules; siteMap?: SiteMap } = {}) {
    const rules = options.rules ?? DEFAULT_RULES;
    this.participantRules = rules.participant.map(compileRule);
    this.platformRules = rules.platform.map(compileRule);
    this.siteMap = options.siteMap;
  }

  /** classify(session).participantKey, without classifying. */
  participantKey(session: SessionRecord): string {
    return participantKeyOf(session.attendee ?? {});
  }

  /** Derives everything the detector needs from one session. Never throws on odd field values. */
  classify(session: SessionRecord): ClassifiedSession {
    const attendee = session.attendee ?? {};
    const recipientType = str(attendee.recipientType);
    const userAgent = str(session.userAgent);
    const deviceInformation = str(session.deviceInformation);
    const plan = this.plan(recipientType, userAgent, deviceInformation);

    // Lower-cased only when the plan has a rule with a display-name condition (a new string per session).
    const displayNameLower = plan.needsDisplayName ? str(attendee.displayName).trim().toLowerCase() : '';
    let participantClass: ParticipantClass = 'unknown';
    let classReason = 'no-rule-matched';
    let platform: ClientPlatform | undefined;
    for (const r of plan.participant) {
      if (r.hasDisplayNameCondition && !matchesDisplayName(r, displayNameLower)) continue;
      participantClass = r.rule.participantClass ?? 'unknown';
      classReason = r.rule.name;
      platform = r.rule.platform;
      break;
    }
    if (platform === undefined) {
      for (const r of plan.platform) {
        if (r.hasDisplayNameCondition && !matchesDisplayName(r, displayNameLower)) continue;
        platform = r.rule.platform;
        break;
      }
    }
    platform ??= 'unknown';
    if (participantClass === 'unknown' || platform === 'unknown') {
      this.countUnknown(this.unknownUserAgents, userAgent.trim());
      this.countUnknown(this.unknownDeviceInformation, deviceInformation.trim());
    }

    const key = participantKeyOf(attendee);
    const deviceId = str(session.deviceId).trim();
    const parsedIp = parseIp(str(session.clientIp));
    const site = parsedIp === undefined ? undefined : this.siteMap?.lookupParsed(parsedIp);
    const classified: ClassifiedSession = {
      session,
      participantKey: key,
      keyConfidence: attendee.userObjectId || attendee.upn ? 'high' : 'low',
      participantClass,
      classReason,
      platform,
      deviceKey: deviceId !== '' ? `id:${deviceId}` : plan.deviceKey,
      ip: parsedIp?.ip ?? '',
    };
    if (site !== undefined) classified.site = site;
    return classified;
  }

  /**
   * User-agent and DeviceInformation strings of sessions whose class or platform no rule
   * decided, most frequent first (at most 1000 distinct values each; later new values are not
   * counted). Empty strings are left out. Use it to extend the rules.
   */
  unknownStrings(): {
    userAgents: Array<{ value: string; count: number }>;
    deviceInformation: Array<{ value: string; count: number }>;
  } {
    const sorted = (m: Map<string, number>): Array<{ value: string; count: number }> =>
      [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { userAgents: sorted(this.unknownUserAgents), deviceInformation: sorted(this.unknownDeviceInformation) };
  }

  private plan(recipientType: string, userAgent: string, deviceInformation: string): Plan {
    // Nested maps rather than one concatenated key: no new string (and hash) per session.
    let byAgent = this.plans.get(recipientType);
    if (byAgent === undefined) this.plans.set(recipientType, (byAgent = new Map()));
    let byDevice = byAgent.get(userAgent);
    if (byDevice === undefined) byAgent.set(userAgent, (byDevice = new Map()));
    let plan = byDevice.get(deviceInformation);
    if (plan !== undefined) return plan;
    const strings: SessionStrings = {
      recipientType: recipientType.trim().toLowerCase(),
      userAgent: userAgent.trim().toLowerCase(),
      deviceInformation: deviceInformation.trim().toLowerCase(),
      deviceInformationRaw: deviceInformation.trim(),
    };
    const participant = candidates(this.participantRules, strings);
    const platform = candidates(this.platformRules, strings);
    plan = {
      participant,
      platform,
      needsDisplayName: participant.some((r) => r.hasDisplayNameCondition) || platform.some((r) => r.hasDisplayNameCondition),
      deviceKey: deviceKeyWithoutId(deviceInformation, userAgent),
    };
    if (this.planCount >= PLAN_CACHE_LIMIT) {
      this.plans.clear();
      this.planCount = 0;
      this.plans.set(recipientType, (byAgent = new Map()));
      byAgent.set(userAgent, (byDevice = new Map()));
    }
    byDevice.set(deviceInformation, plan);
    this.planCount++;
    return plan;
  }

  private countUnknown(table: Map<string, number>, value: string): void {
    if (value === '') return;
    const n = table.get(value);
    if (n !== undefined) table.set(value, n + 1);
    else if (table.size < UNKNOWN_TABLE_LIMIT) table.set(value, 1);
  }
}

/** participantKey(a).key without the object (this runs once per session). */
function participantKeyOf(a: SessionRecord['attendee']): string {
  if (a.userObjectId) return a.userObjectId;
  if (a.upn) return participantKey(a).key;
  return a.displayName || '';
}

/** Records come from parsers, but a field can still hold a non-string in hand-built data. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
