// A participant's devices and network addresses: the main client, a second device of another
// platform, the user agent of service participants (phones, bots), the address a kind connects from.
import { makeDevice, type Device, type DevicePlatform } from './devices.js';
import { ipAddress, serviceAddress, type NetworkContext } from './networkAddresses.js';
import type { ParticipantKind } from './meetingTypes.js';
import type { Rng } from './prng.js';

export function primaryDevice(rng: Rng, kind: ParticipantKind): Device {
  if (kind === 'room') return makeDevice(rng, 'room', false);
  if (kind === 'anonymous') return makeDevice(rng, 'web', false);
  const platform = rng.weighted<DevicePlatform>([
    ['windows', 62],
    ['macOS', 12],
    ['iOS', 9],
    ['android', 6],
    ['web', 11],
  ]);
  return makeDevice(rng, platform, (platform === 'windows' || platform === 'macOS') && rng.chance(0.1));
}

export function secondDevice(rng: Rng, first: DevicePlatform): Device {
  const platform: DevicePlatform =
    first === 'iOS' || first === 'android' ? 'windows' : rng.chance(0.6) ? 'iOS' : 'android';
  return makeDevice(rng, platform, false);
}

export function serviceAgent(kind: ParticipantKind): string {
  if (kind === 'phone') return 'Conferencing Virtual Assistant';
  if (kind === 'bot') return 'SkypeBot Call Recorder Teams';
  return 'CallSignalingAgent';
}

export function addressFor(rng: Rng, kind: ParticipantKind, context: NetworkContext): string {
  if (kind === 'phone') return '';
  if (kind === 'bot') return rng.chance(0.5) ? serviceAddress(rng) : '';
  if (kind === 'room') return ipAddress(rng, rng.chance(0.6) ? 'siteA' : 'siteB');
  return ipAddress(rng, context);
}
