// Unknown-clients report: user-agent and DeviceInformation strings no classification rule
// decided, most frequent first, to extend the rules file.

export interface UnknownClientRow {
  /** `userAgent` or `deviceInformation`. */
  field: 'userAgent' | 'deviceInformation';
  value: string;
  /** Sessions carrying the string whose class or platform stayed unknown. */
  sessions: number;
}

export function unknownClientRows(unknown: {
  userAgents: ReadonlyArray<{ value: string; count: number }>;
  deviceInformation: ReadonlyArray<{ value: string; count: number }>;
}): UnknownClientRow[] {
  return [
    ...unknown.userAgents.map((u) => ({ field: 'userAgent' as const, value: u.value, sessions: u.count })),
    ...unknown.deviceInformation.map((u) => ({
      field: 'deviceInformation' as const,
      value: u.value,
      sessions: u.count,
    })),
  ];
}
