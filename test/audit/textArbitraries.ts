// The text the property tests of src/audit feed the readers: strings made of pieces that break naive CSV
// and JSON handling.
import fc from 'fast-check';

/** Separators, quotes (single and doubled), every line end, NUL, a non-ASCII letter and a JSON object. */
export const CSV_BREAKERS: readonly string[] = [
  ',',
  ';',
  '\t',
  '"',
  '""',
  '\n',
  '\r',
  '\r\n',
  'a',
  'Z',
  ' ',
  '\u0000',
  '\u00e9',
  '{"k":"v"}',
];

/** Strings of the given pieces, at most `maxLength` of them. */
export function textOf(pieces: readonly string[], maxLength?: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...pieces), ...(maxLength !== undefined ? { maxLength } : {}) });
}
