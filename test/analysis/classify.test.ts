import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import type { Attendee, SessionRecord } from '../../src/audit/records.js';
import type { ClientPlatform, ParticipantClass } from '../../src/analysis/model.js';
import { RE2JS } from 're2js';
import {
  DEFAULT_RULES,
  SessionClassifier,
  builtInDevicePatterns,
  clientFamily,
  mergeRules,
  parseRules,
  type ClassificationRules,
} from '../../src/analysis/classify.js';
import { SiteMap } from '../../src/analysis/siteMap.js';

let n = 0;
function session(fields: {
  attendee?: Attendee;
  userAgent?: string;
  deviceInformation?: string;
  clientIp?: string;
  deviceId?: string;
}): SessionRecord {
  n += 1;
  const s: SessionRecord = {
    kind: 'session',
    recordId: `r${n}`,
    meetingId: 'm1',
    organizerUpn: 'org@contoso.example',
    organizerId: 'org',
    organizerOrganizationId: 'tenant',
    meetingType: 'ScheduledMeeting',
    attendee: fields.attendee ?? {},
    joinTime: 0,
    leaveTime: 60_000,
    joinTimeRaw: '2024-05-01T14:00:00',
    leaveTimeRaw: '2024-05-01T14:01:00',
    clientIp: fields.clientIp ?? '',
    deviceInformation: fields.deviceInformation ?? '',
    userAgent: fields.userAgent ?? '',
    source: { file: 'f.csv', line: n },
  };
  if (fields.deviceId !== undefined) s.deviceId = fields.deviceId;
  return s;
}

const user = (extra: Attendee = {}): Attendee => ({
  userObjectId: 'u-1',
  upn: 'ann@contoso.example',
  displayName: 'Ann',
  recipientType: 'User',
  ...extra,
});
const CSA = 'CallSignalingAgent (27/1.4.00.2879//;release_)';
const WEB_UA =
  'Web CallSignalingAgent(PluginLess/1.0; os=Windows; osVer=10; proc=x64; deviceType=Desktop; browser=Chrome; browserVer=120.0)';

function expectClass(
  classifier: SessionClassifier,
  s: SessionRecord,
  participantClass: ParticipantClass,
  platform: ClientPlatform,
  reason?: string,
): void {
  const c = classifier.classify(s);
  const label = JSON.stringify({ a: s.attendee, ua: s.userAgent, di: s.deviceInformation });
  assert.equal(c.participantClass, participantClass, `class of ${label}`);
  assert.equal(c.platform, platform, `platform of ${label}`);
  if (reason !== undefined) assert.equal(c.classReason, reason, `reason of ${label}`);
}

test('bots and service agents', () => {
  const c = new SessionClassifier();
  expectClass(
    c,
    session({ attendee: { recipientType: 'Applications', displayName: '2f0c3e-app' } }),
    'bot',
    'service',
    'application-recipient',
  );
  expectClass(
    c,
    session({ attendee: { displayName: 'b1902c3e-b9f7-4650-9b23-5772bd429747' } }),
    'bot',
    'service',
    'recording-bot',
  );
  expectClass(
    c,
    session({ attendee: { displayName: 'B1902C3E-B9F7-4650-9B23-5772BD429747', recipientType: 'User' } }),
    'bot',
    'service',
    'recording-bot',
  );
  for (const ua of [
    'SkypeBot Call Recorder Teams',
    'SkypeBot Transcription Bot Teams',
    'SkypeBot Teams Live Events Bot',
    'SkypeBot Teams Lightweight meeting Bot',
    'CaaEnterpriseBot',
    'Teams Echo',
    'Announcement Playback Service',
    'Together Mode',
    'Large Gallery',
    'Large gallery',
    'MicrosoftTeamsVoicemailService',
  ]) {
    // Even with a user-type recipient: the agent decides.
    expectClass(c, session({ attendee: { recipientType: 'User', displayName: 'x' }, userAgent: ua }), 'bot', 'service');
  }
});

test('phone participants: RecipientType Phone or the Conferencing Virtual Assistant agent', () => {
  const c = new SessionClassifier();
  expectClass(
    c,
    session({ attendee: { recipientType: 'Phone', displayName: '+41441234567' } }),
    'phone',
    'pstn',
    'phone-recipient',
  );
  expectClass(
    c,
    session({ attendee: { displayName: '+41441234567' }, userAgent: 'Conferencing Virtual Assistant' }),
    'phone',
    'pstn',
    'pstn-dial-in',
  );
});

test('anonymous participants: RecipientType Anonymous or a teamsvisitor: display name', () => {
  const c = new SessionClassifier();
  expectClass(
    c,
    session({ attendee: { recipientType: 'Anonymous', displayName: 'Guest' }, userAgent: WEB_UA }),
    'anonymous',
    'web',
    'anonymous-recipient',
  );
  expectClass(
    c,
    session({ attendee: { displayName: 'teamsvisitor:8a7b6c' }, userAgent: CSA, deviceInformation: 'Windows 11' }),
    'anonymous',
    'windows',
    'teams-visitor',
  );
  expectClass(c, session({ attendee: { recipientType: 'anonymous' } }), 'anonymous', 'unknown');
});

test('rooms: Teams Rooms / MTR / Surface Hub / Teams Display in DeviceInformation, before the user rules', () => {
  const c = new SessionClassifier();
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Microsoft Teams Rooms on Windows' }),
    'room',
    'roomSystem',
    'teams-room',
  );
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Logitech MTR' }),
    'room',
    'roomSystem',
    'teams-room',
  );
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Surface Hub 2S' }),
    'room',
    'surfaceHub',
    'surface-hub',
  );
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Lenovo ThinkSmart View Teams Display' }),
    'room',
    'roomSystem',
    'teams-display',
  );
  // Whole words only: a "Showroom" laptop is not a room system.
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Showroom laptop Windows 10' }),
    'human',
    'windows',
    'teams-client',
  );
});

test('humans: user-type recipients and the Teams client agents', () => {
  const c = new SessionClassifier();
  expectClass(
    c,
    session({ attendee: user(), userAgent: CSA, deviceInformation: 'Windows 10' }),
    'human',
    'windows',
    'teams-client',
  );
  expectClass(
    c,
    session({ attendee: user({ recipientType: 'InternalFederated' }), userAgent: CSA }),
    'human',
    'unknown',
    'teams-client',
  );
  expectClass(
    c,
    session({ attendee: user({ recipientType: 'GuestFederated' }) }),
    'human',
    'unknown',
    'user-recipient',
  );
  expectClass(c, session({ attendee: user() }), 'human', 'unknown', 'user-recipient');
  expectClass(c, session({ attendee: { userObjectId: 'u-2' }, userAgent: CSA }), 'human', 'unknown', 'teams-client');
  expectClass(c, session({ attendee: user(), userAgent: 'SkypeSpaces/1.0' }), 'human', 'unknown', 'user-recipient');
});

test('platforms from DeviceInformation keywords and the web user-agent form', () => {
  const c = new SessionClassifier();
  const cases: Array<[string, ClientPlatform]> = [
    ['Windows 10 Enterprise', 'windows'],
    ['Win32 Teams 2.0', 'windows'],
    ['macOS 14.4', 'macOS'],
    ['Apple Mac mini', 'macOS'],
    ['Macintosh; Intel Mac OS X 10_15_7', 'macOS'],
    ['iPhone 15 Pro; iOS 17.4', 'iOS'],
    ['iPad; CPU OS 17_4 like Mac OS X', 'iOS'],
    ['Android 14; Pixel 8; Linux', 'android'],
    ['Ubuntu 22.04 Linux x86_64', 'linux'],
    ['Microsoft Edge browser', 'web'],
    ['Firefox 125 on Windows', 'web'],
    ['Yealink IP Phone T58', 'ipPhone'],
    ['Macro keyboard', 'unknown'],
    ['SomethingElse 3000', 'unknown'],
  ];
  for (const [di, platform] of cases)
    expectClass(c, session({ attendee: user(), userAgent: CSA, deviceInformation: di }), 'human', platform);
  // The web user agent says web even when it names the OS.
  expectClass(
    c,
    session({ attendee: user(), userAgent: WEB_UA, deviceInformation: 'Windows 10' }),
    'human',
    'web',
    'teams-client',
  );
});

test('nothing recognisable: class and platform unknown', () => {
  const c = new SessionClassifier();
  expectClass(c, session({}), 'unknown', 'unknown', 'no-rule-matched');
  expectClass(
    c,
    session({ attendee: { displayName: 'x', recipientType: 'Martian' }, userAgent: 'Foo/1.0' }),
    'unknown',
    'unknown',
    'no-rule-matched',
  );
});

test('deviceKey: DeviceId, else normalised DeviceInformation and client family; never the IP', () => {
  const c = new SessionClassifier();
  const a = c.classify(
    session({ attendee: user(), userAgent: CSA, deviceInformation: '  Windows   10  Pro ', clientIp: '10.1.1.1' }),
  );
  const b = c.classify(
    session({
      attendee: user(),
      userAgent: 'CallSignalingAgent (27/1.5.0)',
      deviceInformation: 'windows 10 pro',
      clientIp: '192.168.1.9',
    }),
  );
  assert.equal(a.deviceKey, 'dev:windows 10 pro|CallSignalingAgent');
  assert.equal(b.deviceKey, a.deviceKey, 'versions and IPs do not split a device');
  assert.equal(c.classify(session({ attendee: user(), userAgent: WEB_UA })).deviceKey, 'dev:?|Web CallSignalingAgent');
  assert.equal(
    c.classify(session({ userAgent: 'Conferencing Virtual Assistant' })).deviceKey,
    'dev:?|Conferencing Virtual Assistant',
  );
  assert.equal(c.classify(session({})).deviceKey, 'dev:?|');
  assert.equal(
    c.classify(session({ attendee: user(), userAgent: CSA, deviceInformation: 'Windows', deviceId: ' 5c1d-22 ' }))
      .deviceKey,
    'id:5c1d-22',
  );
  assert.equal(clientFamily('Mozilla/5.0 (Windows NT 10.0)'), 'Mozilla');
});

test('participant key, IP normalisation and site lookup are filled in', () => {
  const { map } = SiteMap.fromCqdCsv('10.57.0.0,Zurich,16,ZRH-1,,,,Zurich,,CH,,EMEA,1,0,0', 'sites.csv');
  const c = new SessionClassifier({ siteMap: map });
  const a = c.classify(session({ attendee: user(), userAgent: CSA, clientIp: '::ffff:10.57.3.4' }));
  assert.equal(a.participantKey, 'u-1');
  assert.equal(a.keyConfidence, 'high');
  assert.equal(a.ip, '10.57.3.4');
  assert.equal(a.site?.name, 'Zurich');
  assert.equal(a.site?.network, '10.57.0.0/16');
  const b = c.classify(session({ attendee: { displayName: '+41441234567', recipientType: 'Phone' } }));
  assert.equal(b.participantKey, '+41441234567');
  assert.equal(b.keyConfidence, 'low');
  assert.equal(b.ip, '');
  assert.equal(b.site, undefined);
  const d = c.classify(session({ attendee: user(), clientIp: '[2001:DB8::7]:443' }));
  assert.equal(d.ip, '2001:db8::7');
  assert.equal(d.site, undefined);
  assert.equal(c.classify(session({ attendee: user(), clientIp: 'not an ip' })).ip, '');
});

test('user rules come first and can set a platform from CallSignalingAgent platform ids', () => {
  const userRules = parseRules(
    JSON.stringify({
      participant: [
        {
          name: 'echo-is-our-test-user',
          userAgentPrefix: ['Teams Echo'],
          participantClass: 'human',
          platform: 'windows',
        },
      ],
      platform: [{ name: 'csa-27-is-windows', userAgentPrefix: ['CallSignalingAgent (27/'], platform: 'windows' }],
    }),
    'my-rules.json',
  );
  const merged = mergeRules(userRules);
  assert.equal(merged.participant[0]?.name, 'echo-is-our-test-user');
  assert.equal(merged.participant.length, DEFAULT_RULES.participant.length + 1);
  const c = new SessionClassifier({ rules: merged });
  expectClass(c, session({ attendee: user(), userAgent: 'Teams Echo' }), 'human', 'windows', 'echo-is-our-test-user');
  expectClass(c, session({ attendee: user(), userAgent: CSA }), 'human', 'windows', 'teams-client');
  expectClass(c, session({ attendee: user(), userAgent: 'CallSignalingAgent (49/26033.600)' }), 'human', 'unknown');
  // The defaults alone do not know platform id 27.
  expectClass(new SessionClassifier(), session({ attendee: user(), userAgent: CSA }), 'human', 'unknown');
});

test('display-name rules apply per session even when the other strings are cached', () => {
  const rules = mergeRules(
    parseRules(
      JSON.stringify({
        participant: [
          {
            name: 'recorder-account',
            displayNamePrefix: ['Recorder-'],
            userAgentPrefix: ['CallSignalingAgent'],
            participantClass: 'bot',
          },
        ],
      }),
      'r.json',
    ),
  );
  const c = new SessionClassifier({ rules });
  const same = { userAgent: CSA, deviceInformation: 'Windows 10' };
  expectClass(c, session({ attendee: user({ displayName: 'Ann' }), ...same }), 'human', 'windows', 'teams-client');
  expectClass(
    c,
    session({ attendee: user({ displayName: 'Recorder-7' }), ...same }),
    'bot',
    'windows',
    'recorder-account',
  );
  expectClass(c, session({ attendee: user({ displayName: 'Bob' }), ...same }), 'human', 'windows', 'teams-client');
  expectClass(
    c,
    session({ attendee: user({ displayName: 'recorder-8' }), ...same }),
    'bot',
    'windows',
    'recorder-account',
  );
});

test('every condition of a rule must hold; all comparisons ignore case', () => {
  const rules = parseRules(
    JSON.stringify({
      participant: [
        { name: 'both', recipientType: ['user'], userAgentContains: ['zoomgateway'], participantClass: 'bot' },
        { name: 'regex', deviceInformationRegex: '^kiosk-\\d+$', participantClass: 'room' },
      ],
    }),
    'r.json',
  );
  const c = new SessionClassifier({ rules });
  expectClass(
    c,
    session({ attendee: { recipientType: 'USER' }, userAgent: 'X ZoomGateway/2' }),
    'bot',
    'unknown',
    'both',
  );
  expectClass(
    c,
    session({ attendee: { recipientType: 'Phone' }, userAgent: 'X ZoomGateway/2' }),
    'unknown',
    'unknown',
    'no-rule-matched',
  );
  expectClass(c, session({ deviceInformation: 'KIOSK-12' }), 'room', 'unknown', 'regex');
  expectClass(c, session({ deviceInformation: 'kiosk-12b' }), 'unknown', 'unknown');
});

test('the shipped JSON file is what DEFAULT_RULES holds, and it covers the documented values', () => {
  const file = join(__dirname, '../../../src/analysis/classificationRules.json');
  assert.deepEqual(parseRules(readFileSync(file, 'utf8'), file), DEFAULT_RULES);
  const classes = new Set(DEFAULT_RULES.participant.map((r) => r.participantClass));
  assert.deepEqual([...classes].sort(), ['anonymous', 'bot', 'human', 'phone', 'room']);
});

test('the example rules file of docs/design/classification.md parses and behaves as described', () => {
  const page = readFileSync(join(__dirname, '../../../docs/design/classification.md'), 'utf8');
  const json = /```json\n([\s\S]*?)```/.exec(page)?.[1];
  assert.ok(json, 'the page has a json example');
  const c = new SessionClassifier({ rules: mergeRules(parseRules(json, 'classification.md')) });
  expectClass(
    c,
    session({ attendee: user({ displayName: 'Lab Test 4' }), userAgent: CSA }),
    'bot',
    'windows',
    'lab-test-accounts',
  );
  expectClass(c, session({ attendee: user(), userAgent: 'X ZoomGateway/1' }), 'bot', 'service', 'zoom-gateway');
  expectClass(
    c,
    session({ attendee: user(), userAgent: 'CallSignalingAgent (49/1)', deviceInformation: 'IGEL OS 11' }),
    'human',
    'linux',
    'teams-client',
  );
});

test('parseRules rejects bad files with file, JSON path and reason', () => {
  const bad = (value: unknown): string => {
    try {
      parseRules(typeof value === 'string' ? value : JSON.stringify(value), 'rules/my.json');
    } catch (e) {
      return (e as Error).message;
    }
    return assert.fail(`accepted ${JSON.stringify(value)}`);
  };
  assert.match(bad('{ participant: [] '), /^rules\/my\.json: not valid JSON: /);
  assert.match(bad([]), /^rules\/my\.json: \$: must be an object/);
  assert.match(bad({ participants: [] }), /^rules\/my\.json: \$\.participants: unknown key/);
  assert.match(bad({ participant: {} }), /\$\.participant: must be a list of rules/);
  assert.match(
    bad({ participant: [{ name: 'a', userAgentPrefx: ['x'], participantClass: 'bot' }] }),
    /\$\.participant\[0\]\.userAgentPrefx: unknown key/,
  );
  assert.match(
    bad({ participant: [{ userAgentPrefix: ['x'], participantClass: 'bot' }] }),
    /\$\.participant\[0\]\.name: must be a non-empty string/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', userAgentPrefix: ['x'] }] }),
    /\$\.participant\[0\]\.participantClass: required/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', userAgentPrefix: ['x'], participantClass: 'robot' }] }),
    /participantClass: must be one of human, phone, anonymous, room, unknown, bot$/,
  );
  assert.match(
    bad({ platform: [{ name: 'a', userAgentPrefix: ['x'], platform: 'Windows' }] }),
    /\$\.platform\[0\]\.platform: must be one of windows, macOS/,
  );
  assert.match(
    bad({ platform: [{ name: 'a', userAgentPrefix: ['x'], platform: 'web', participantClass: 'human' }] }),
    /\$\.platform\[0\]\.participantClass: not allowed in a platform rule/,
  );
  assert.match(bad({ platform: [{ name: 'a', userAgentPrefix: ['x'] }] }), /\$\.platform\[0\]\.platform: required/);
  assert.match(
    bad({ participant: [{ name: 'a', userAgentPrefix: [], participantClass: 'bot' }] }),
    /userAgentPrefix: must be a non-empty list/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', userAgentPrefix: 'x', participantClass: 'bot' }] }),
    /userAgentPrefix: must be a non-empty list/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', displayName: ['ok', ''], participantClass: 'bot' }] }),
    /\$\.participant\[0\]\.displayName\[1\]: must be a non-empty string/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', deviceInformationRegex: '(x', participantClass: 'room' }] }),
    /deviceInformationRegex: not a valid RE2 regular expression: .*missing closing \)/,
  );
  assert.match(
    bad({ participant: [{ name: 'a', participantClass: 'bot' }] }),
    /\$\.participant\[0\]: rule "a" has no condition/,
  );
  assert.deepEqual(parseRules('{"platform":[]}', 'x.json'), { participant: [], platform: [] });
});

test('unknownStrings: strings of sessions no rule classified, most frequent first, capped', () => {
  const c = new SessionClassifier();
  for (let i = 0; i < 3; i++)
    c.classify(session({ attendee: user(), userAgent: CSA, deviceInformation: 'Contoso Thin Client' }));
  c.classify(session({ attendee: user(), userAgent: 'CallSignalingAgent (49/26033.600)' }));
  c.classify(session({ attendee: user(), userAgent: CSA, deviceInformation: 'Windows 10' })); // fully classified
  c.classify(session({ attendee: { recipientType: 'Phone' }, userAgent: 'Conferencing Virtual Assistant' })); // fully classified
  const u = c.unknownStrings();
  assert.deepEqual(u.userAgents, [
    { value: CSA, count: 3 },
    { value: 'CallSignalingAgent (49/26033.600)', count: 1 },
  ]);
  assert.deepEqual(u.deviceInformation, [{ value: 'Contoso Thin Client', count: 3 }]);

  const big = new SessionClassifier();
  for (let i = 0; i < 1005; i++) big.classify(session({ userAgent: `Agent ${i}` }));
  big.classify(session({ userAgent: 'Agent 3' }));
  const ua = big.unknownStrings().userAgents;
  assert.equal(ua.length, 1000);
  assert.deepEqual(ua[0], { value: 'Agent 3', count: 2 });
});

const anyString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    'User',
    'Phone',
    'Applications',
    'teamsvisitor:1',
    CSA,
    WEB_UA,
    'Surface Hub',
    '::ffff:1.2.3.4',
    '10.0.0.1',
  ),
);
const anySession = fc
  .record({
    userObjectId: fc.option(anyString, { nil: undefined }),
    upn: fc.option(anyString, { nil: undefined }),
    displayName: fc.option(anyString, { nil: undefined }),
    recipientType: fc.option(anyString, { nil: undefined }),
    userAgent: anyString,
    deviceInformation: anyString,
    clientIp: anyString,
    deviceId: fc.option(anyString, { nil: undefined }),
  })
  .map((r) => {
    const attendee: Attendee = {};
    if (r.userObjectId !== undefined) attendee.userObjectId = r.userObjectId;
    if (r.upn !== undefined) attendee.upn = r.upn;
    if (r.displayName !== undefined) attendee.displayName = r.displayName;
    if (r.recipientType !== undefined) attendee.recipientType = r.recipientType;
    const fields: Parameters<typeof session>[0] = {
      attendee,
      userAgent: r.userAgent,
      deviceInformation: r.deviceInformation,
      clientIp: r.clientIp,
    };
    if (r.deviceId !== undefined) fields.deviceId = r.deviceId;
    return session(fields);
  });

test('property: classification never throws on arbitrary strings and yields valid values', () => {
  const classes = ['human', 'phone', 'bot', 'anonymous', 'room', 'unknown'];
  const platforms = [
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
  const c = new SessionClassifier();
  fc.assert(
    fc.property(anySession, (s) => {
      const r = c.classify(s);
      assert.ok(classes.includes(r.participantClass));
      assert.ok(platforms.includes(r.platform));
      assert.ok(r.deviceKey.startsWith('id:') || r.deviceKey.startsWith('dev:'));
      assert.equal(r.session, s);
    }),
    { numRuns: 2000 },
  );
});

test('property: the IP never influences the device key or the class', () => {
  const c = new SessionClassifier();
  fc.assert(
    fc.property(anySession, fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (s, otherIp) => {
      const a = c.classify(s);
      const b = c.classify({ ...s, clientIp: otherIp });
      assert.equal(b.deviceKey, a.deviceKey);
      assert.equal(b.participantClass, a.participantClass);
      assert.equal(b.platform, a.platform);
    }),
    { numRuns: 1000 },
  );
});

test('property: a long-lived (cached) classifier agrees with a fresh one', () => {
  const rules: ClassificationRules = mergeRules({
    participant: [{ name: 'dn', displayNamePrefix: ['a'], participantClass: 'bot' }],
    platform: [{ name: 'dn-platform', displayName: ['b'], userAgentPrefix: ['C'], platform: 'linux' }],
  });
  const cached = new SessionClassifier({ rules });
  fc.assert(
    fc.property(fc.array(anySession, { minLength: 1, maxLength: 20 }), (sessions) => {
      for (const s of sessions) {
        const fresh = new SessionClassifier({ rules }).classify(s);
        assert.deepEqual(cached.classify(s), fresh);
      }
    }),
    { numRuns: 300 },
  );
});

test('built-in device patterns (run on the JavaScript engine) match exactly what RE2 matches', () => {
  const patterns = builtInDevicePatterns();
  assert.ok(patterns.length >= 9);
  const engines = patterns.map((p) => ({ p, js: new RegExp(p, 'i'), re2: RE2JS.compile(p, RE2JS.CASE_INSENSITIVE) }));
  const words = [...new Set(patterns.flatMap((p) => p.match(/[a-z]+/g) ?? []))];
  const samples = [
    'Windows 11 (10.0.22631); Teams',
    'macOS 14.5; Teams',
    'Mac OS X 13.6, Teams (work or school)',
    'iPhone; iOS 17.5; Teams',
    'iPad; iPadOS 17.4; Teams',
    'Android 14; Pixel 8, Teams',
    'Web; Edge 125 on Windows',
    'Web; Firefox 126 on Linux',
    'Microsoft Teams Rooms on Windows; Logitech Rally Bar',
    'Surface Hub 2S; Windows 10 Team',
    'Teams Display; Lenovo ThinkSmart View',
    'Yealink T58 Teams IP Phone',
    'CrOS x86_64',
    'Red Hat Enterprise',
    'MTR-W',
    'surfacehub',
    'macintosh',
    'edg/125',
    'WIN64',
  ];
  // Any ASCII and a few other letters; not U+017F and U+212A, which RE2 folds to s and k but JavaScript's /i does not.
  const piece = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(' ', ';', ',', '(', ')', '/', '-', '_', '.', '0', '9', '\u00e9', '\u00df', '\u0130', '\u03a3'),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 3 }),
  );
  const agree = (text: string): void => {
    for (const { p, js, re2 } of engines)
      assert.equal(js.test(text), re2.test(text), `${p} on ${JSON.stringify(text)}`);
  };
  for (const text of samples) agree(text);
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 8 }).map((a) => a.join('')),
      (text) => {
        agree(text);
        agree(text.toUpperCase());
      },
    ),
    { numRuns: 3000 },
  );
});

test('the built-in rules classify without loading re2js; a user regex rule loads it', () => {
  const classifyModule = join(__dirname, '..', '..', 'src', 'analysis', 'classify.js');
  const script = (userRules: boolean) => `
    const c = require(${JSON.stringify(classifyModule)});
    const rules = ${userRules} ? c.mergeRules(c.parseRules('{"platform":[{"name":"t","platform":"windows","deviceInformationRegex":"\\\\\\\\bwin"}]}', 'r.json')) : undefined;
    const s = { attendee: { upn: 'a@x', recipientType: 'User' }, userAgent: 'CallSignalingAgent (49/1)', deviceInformation: 'Windows 11', clientIp: '', deviceId: '' };
    new c.SessionClassifier(rules ? { rules } : {}).classify(s);
    process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('re2js'))));`;
  assert.equal(execFileSync(process.execPath, ['-e', script(false)], { encoding: 'utf8' }), 'false');
  assert.equal(execFileSync(process.execPath, ['-e', script(true)], { encoding: 'utf8' }), 'true');
});
