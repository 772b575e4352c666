// Classification rule files: the rule shape, parsing and validation (with the file, JSON path and
// reason of the first fault), the built-in rules (classificationRules.json) and merging a user's rules.
import type { RE2JS } from 're2js';
import { PARTICIPANT_CLASSES, type ClientPlatform, type ParticipantClass } from './model.js';
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
  'windows',
  'macOS',
  'iOS',
  'android',
  'web',
  'linux',
  'ipPhone',
  'roomSystem',
  'surfaceHub',
  'pstn',
  'service',
  'unknown',
];
export const LIST_FIELDS = [
  'recipientType',
  'userAgentPrefix',
  'userAgentContains',
  'deviceInformation',
  'displayName',
  'displayNamePrefix',
] as const;
const RULE_KEYS = new Set<string>([
  'name',
  ...LIST_FIELDS,
  'deviceInformationRegex',
  'participantClass',
  'platform',
  'comment',
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
    throw new Error(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return validateRules(value, file);
}

/** A compiled deviceInformationRegex (case-insensitive). */
export interface DeviceRegex {
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
  const rule: ClassificationRule = { name: r.name.trim() };
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
    if (re.length > MAX_RULE_REGEX_LENGTH) {
      fail(`${path}.deviceInformationRegex`, `longer than ${MAX_RULE_REGEX_LENGTH} characters`);
    }
    try {
      engine(re);
    } catch (e) {
      fail(
        `${path}.deviceInformationRegex`,
        `not a valid RE2 regular expression: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    rule.deviceInformationRegex = re;
    conditions++;
  }
  if (conditions === 0) {
    fail(
      path,
      `rule "${rule.name}" has no condition (give at least one of ${[...LIST_FIELDS, 'deviceInformationRegex'].join(', ')})`,
    );
  }
  if (r.participantClass !== undefined) {
    if (kind === 'platform')
      fail(`${path}.participantClass`, 'not allowed in a platform rule (put the rule in "participant")');
    if (!PARTICIPANT_CLASSES.includes(r.participantClass as ParticipantClass)) {
      fail(`${path}.participantClass`, `must be one of ${PARTICIPANT_CLASSES.join(', ')}`);
    }
    rule.participantClass = r.participantClass as ParticipantClass;
  } else if (kind === 'participant') {
    fail(`${path}.participantClass`, 'required in a participant rule');
  }
  if (r.platform !== undefined) {
    if (!PLATFORMS.includes(r.platform as ClientPlatform))
      fail(`${path}.platform`, `must be one of ${PLATFORMS.join(', ')}`);
    rule.platform = r.platform as ClientPlatform;
  } else if (kind === 'platform') {
    fail(`${path}.platform`, 'required in a platform rule');
  }
  if (r.comment !== undefined) {
    if (typeof r.comment !== 'string') fail(`${path}.comment`, 'must be a string');
    rule.comment = r.comment;
  }
  return rule;
}

/** The built-in rules (src/analysis/classificationRules.json). */
export const DEFAULT_RULES: ClassificationRules = deepFreeze(
  validateRules(defaultRulesJson, 'classificationRules.json', builtInEngine),
);

/** The rule objects of DEFAULT_RULES: their regexes run on the JavaScript engine. */
const BUILT_IN_RULES: ReadonlySet<ClassificationRule> = new Set([
  ...DEFAULT_RULES.participant,
  ...DEFAULT_RULES.platform,
]);

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

/** A rule's deviceInformationRegex compiled by the engine its origin calls for (see RegexEngine). */
export function compileDeviceRegex(rule: ClassificationRule, pattern: string): DeviceRegex {
  return (BUILT_IN_RULES.has(rule) ? builtInEngine : re2Engine)(pattern);
}
