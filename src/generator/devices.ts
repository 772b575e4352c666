// Synthetic Teams clients for generated exports: platform, DeviceInformation, user agent and DeviceId.
import { Rng } from './prng.js';

export type DevicePlatform = 'windows' | 'macOS' | 'iOS' | 'android' | 'web' | 'room';

export interface Device {
  platform: DevicePlatform;
  /** DeviceInformation ('' = field absent). */
  info: string;
  userAgent: string;
  /** DeviceId, only for some managed devices. */
  deviceId?: string;
}

const DEVICE_INFO: Record<DevicePlatform, readonly string[]> = {
  windows: [
    'Windows 10 (10.0.19045); Teams',
    'Windows 11 (10.0.22631); Teams',
    'Windows 11 Pro, Teams (work or school)',
    'Windows 11 (10.0.26100); Teams',
  ],
  macOS: ['macOS 14.5; Teams', 'Mac OS X 13.6, Teams (work or school)', 'macOS 15.1; Teams'],
  iOS: ['iPhone; iOS 17.5; Teams', 'iPhone; iOS 18.1; Teams', 'iPad; iPadOS 17.4; Teams'],
  android: ['Android 14; Samsung SM-S911B; Teams', 'Android 13; Pixel 7; Teams', 'Android 14; Pixel 8, Teams'],
  web: [
    'Web; Chrome 124 on Windows',
    'Web; Edge 125 on Windows',
    'Web; Safari 17 on macOS',
    'Web; Firefox 126 on Linux',
  ],
  room: [
    'Microsoft Teams Rooms on Windows; Logitech Rally Bar',
    'Surface Hub 2S; Windows 10 Team',
    'Teams Display; Lenovo ThinkSmart View',
  ],
};

const CLIENT_VERSIONS = ['24295.605.3225.8804', '25044.2208.3471.2155', '24335.208.3315.1951', '25093.1906.3551.6453'];
const MOBILE_VERSIONS = ['1416/6.5.1', '1416/6.11.0', '1415/1.0.0.2024062702', '1416/1.0.0.2025011602'];
const PLATFORM_IDS: Record<DevicePlatform, number> = { windows: 49, macOS: 50, iOS: 48, android: 46, web: 0, room: 27 };
const BROWSERS: Record<string, readonly [string, string, string, string]> = {
  Chrome: ['Windows', '10', 'x64', '124.0.0.0'],
  Edge: ['Windows', '10', 'x64', '125.0.0.0'],
  Safari: ['Mac', '10.15', 'x64', '17.4'],
  Firefox: ['Linux', '0', 'x64', '126.0'],
};

/** A client of the given platform; `managed` devices carry a DeviceId. */
export function makeDevice(rng: Rng, platform: DevicePlatform, managed: boolean): Device {
  const info = rng.pick(DEVICE_INFO[platform]);
  let userAgent: string;
  if (platform === 'web') {
    const browser = /Chrome|Edge|Safari|Firefox/.exec(info)?.[0] ?? 'Chrome';
    const [os, osVer, proc, browserVer] = BROWSERS[browser] as readonly [string, string, string, string];
    userAgent = `Web CallSignalingAgent(PluginLess/2024.20.01.3/os=${os}; osVer=${osVer}; proc=${proc}; deviceType=Desktop; browser=${browser}; browserVer=${browserVer})`;
  } else if (platform === 'iOS' || platform === 'android') {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS[platform]}/${rng.pick(MOBILE_VERSIONS)}//)`;
  } else if (platform === 'room') {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS.room}/1.0.96.2024${rng.int(10, 99)}01//;release_mtr)`;
  } else {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS[platform]}/${rng.pick(CLIENT_VERSIONS)}//${rng.chance(0.2) ? ';release_desktop' : ''})`;
  }
  const device: Device = { platform, info, userAgent };
  if (managed) device.deviceId = rng.guid();
  return device;
}
