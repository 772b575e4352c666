// Participant/client classification from data-driven rules (classificationRules.json plus user
// rule files: classificationRuleFile.ts), device keys, IP normalisation and site lookup for each session.
import type { SessionRecord } from '../audit/records.js';
import { participantKey } from '../audit/participantKey.js';
import {
  DEFAULT_RULES,
  LIST_FIELDS,
  compileDeviceRegex,
  type ClassificationRule,
  type ClassificationRules,
  type DeviceRegex,
} from './classificationRuleFile.js';
import type { ClassifiedSession, ClientPlatform, ParticipantClass } from './model.js';
import { parseIp } from './ip.js';
import type { SiteMap } from './siteMap.js';

export {
  DEFAULT_RULES,
  builtInDevicePatterns,
  mergeRules,
  parseRules,
  type ClassificationRule,
  type ClassificationRules,
} from './classificationRuleFile.js';

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
    c.deviceRegex = compileDeviceRegex(rule, rule.deviceInformationRegex);
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
  if (
    r.userAgentPrefix !== undefined &&
    !(s.userAgent !== '' && r.userAgentPrefix.some((p) => s.userAgent.startsWith(p)))
  )
    return false;
  if (
    r.userAgentContains !== undefined &&
    !(s.userAgent !== '' && r.userAgentContains.some((p) => s.userAgent.includes(p)))
  )
    return false;
  if (
    r.deviceInformation !== undefined &&
    !(s.deviceInformation !== '' && r.deviceInformation.some((p) => s.deviceInformation.includes(p)))
  ) {
    return false;
  }
  if (r.deviceRegex !== undefined && !r.deviceRegex.test(s.deviceInformationRaw)) return false;
  return true;
}

function matchesDisplayName(r: CompiledRule, displayNameLower: string): boolean {
  if (r.displayName !== undefined && !(displayNameLower !== '' && r.displayName.includes(displayNameLower)))
    return false;
  if (
    r.displayNamePrefix !== undefined &&
    !(displayNameLower !== '' && r.displayNamePrefix.some((p) => displayNameLower.startsWith(p)))
  ) {
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
      [...m]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { userAgents: sorted(this.unknownUserAgents), deviceInformation: sorted(this.unknownDeviceInformation) };
  }

  private plan(recipientType: string, userAgent: string, deviceInformation: string): Plan {
    // Nested maps rather than one concatenated key: no new string (and hash) per session.
    let byAgent = this.plans.get(recipientType);
    if (byAgent === undefined) this.plans.set(recipientType, (byAgent = new Map<string, Map<string, Plan>>()));
    let byDevice = byAgent.get(userAgent);
    if (byDevice === undefined) byAgent.set(userAgent, (byDevice = new Map<string, Plan>()));
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
      needsDisplayName:
        participant.some((r) => r.hasDisplayNameCondition) || platform.some((r) => r.hasDisplayNameCondition),
      deviceKey: deviceKeyWithoutId(deviceInformation, userAgent),
    };
    if (this.planCount >= PLAN_CACHE_LIMIT) {
      this.plans.clear();
      this.planCount = 0;
      this.plans.set(recipientType, (byAgent = new Map<string, Map<string, Plan>>()));
      byAgent.set(userAgent, (byDevice = new Map<string, Plan>()));
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
