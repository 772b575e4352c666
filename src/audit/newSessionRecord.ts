// The constructor of SessionRecord objects, kept apart for its one-literal-per-shape layout.
import type { Attendee, SessionRecord, SourceRef } from './records.js';

/**
 * A SessionRecord with its optional fields (creationTime, deviceId, isJoinedFromLobby; in that order,
 * after `source`) present only when given. Each combination is one object literal, so no field is
 * added afterwards: V8 then keeps every field inside the object instead of in a separate property
 * array, about 40 bytes less per record.
 */
export function newSessionRecord(
  recordId: string,
  meetingId: string,
  organizerUpn: string,
  organizerId: string,
  organizerOrganizationId: string,
  meetingType: string,
  attendee: Attendee,
  joinTime: number,
  leaveTime: number,
  joinTimeRaw: string | undefined,
  leaveTimeRaw: string | undefined,
  clientIp: string,
  deviceInformation: string,
  userAgent: string,
  source: SourceRef,
  creationTime: number | undefined,
  deviceId: string | undefined,
  isJoinedFromLobby: boolean | undefined,
): SessionRecord {
  const kind = 'session';
  if (creationTime !== undefined) {
    if (deviceId !== undefined) {
      if (isJoinedFromLobby !== undefined) {
        return {
          kind,
          recordId,
          meetingId,
          organizerUpn,
          organizerId,
          organizerOrganizationId,
          meetingType,
          attendee,
          joinTime,
          leaveTime,
          joinTimeRaw,
          leaveTimeRaw,
          clientIp,
          deviceInformation,
          userAgent,
          source,
          creationTime,
          deviceId,
          isJoinedFromLobby,
        };
      }
      return {
        kind,
        recordId,
        meetingId,
        organizerUpn,
        organizerId,
        organizerOrganizationId,
        meetingType,
        attendee,
        joinTime,
        leaveTime,
        joinTimeRaw,
        leaveTimeRaw,
        clientIp,
        deviceInformation,
        userAgent,
        source,
        creationTime,
        deviceId,
      };
    }
    if (isJoinedFromLobby !== undefined) {
      return {
        kind,
        recordId,
        meetingId,
        organizerUpn,
        organizerId,
        organizerOrganizationId,
        meetingType,
        attendee,
        joinTime,
        leaveTime,
        joinTimeRaw,
        leaveTimeRaw,
        clientIp,
        deviceInformation,
        userAgent,
        source,
        creationTime,
        isJoinedFromLobby,
      };
    }
    return {
      kind,
      recordId,
      meetingId,
      organizerUpn,
      organizerId,
      organizerOrganizationId,
      meetingType,
      attendee,
      joinTime,
      leaveTime,
      joinTimeRaw,
      leaveTimeRaw,
      clientIp,
      deviceInformation,
      userAgent,
      source,
      creationTime,
    };
  }
  if (deviceId !== undefined) {
    if (isJoinedFromLobby !== undefined) {
      return {
        kind,
        recordId,
        meetingId,
        organizerUpn,
        organizerId,
        organizerOrganizationId,
        meetingType,
        attendee,
        joinTime,
        leaveTime,
        joinTimeRaw,
        leaveTimeRaw,
        clientIp,
        deviceInformation,
        userAgent,
        source,
        deviceId,
        isJoinedFromLobby,
      };
    }
    return {
      kind,
      recordId,
      meetingId,
      organizerUpn,
      organizerId,
      organizerOrganizationId,
      meetingType,
      attendee,
      joinTime,
      leaveTime,
      joinTimeRaw,
      leaveTimeRaw,
      clientIp,
      deviceInformation,
      userAgent,
      source,
      deviceId,
    };
  }
  if (isJoinedFromLobby !== undefined) {
    return {
      kind,
      recordId,
      meetingId,
      organizerUpn,
      organizerId,
      organizerOrganizationId,
      meetingType,
      attendee,
      joinTime,
      leaveTime,
      joinTimeRaw,
      leaveTimeRaw,
      clientIp,
      deviceInformation,
      userAgent,
      source,
      isJoinedFromLobby,
    };
  }
  return {
    kind,
    recordId,
    meetingId,
    organizerUpn,
    organizerId,
    organizerOrganizationId,
    meetingType,
    attendee,
    joinTime,
    leaveTime,
    joinTimeRaw,
    leaveTimeRaw,
    clientIp,
    deviceInformation,
    userAgent,
    source,
  };
}
