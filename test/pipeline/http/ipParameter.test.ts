// The HTTP API's `ip` filter reads networks as the CLI's --ip does (a bare address is one host),
// and is never a regex: a regex-looking value is refused with a pointer to `ipRegex`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, queryValues } from '../../../src/pipeline/http/params.js';

test('ip: networks and bare addresses (one host); a regex is refused and pointed to ipRegex', () => {
  assert.deepEqual(parseFilter(queryValues({ ip: '10.57.0.0/16,10.58.6.1' })).ip, ['10.57.0.0/16', '10.58.6.1/32']);
  assert.throws(
    () => parseFilter(queryValues({ ip: '^10\\.57\\.' })),
    (e: Error) =>
      /"ip" must be comma-separated CIDR ranges .*a bare address is one host.*; for a regular expression use "ipRegex"$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => parseFilter(queryValues({ ip: '10.57.0.0/33' })),
    (e: Error) => /prefix length 33/.test(e.message) && !e.message.includes('ipRegex'),
  );
});
