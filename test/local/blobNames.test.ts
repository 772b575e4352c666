// The blob-name rules the admin API and the container scan share, the character references the SDK
// leaves in listed names, and how storage failures are worded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobNameProblem, decodeCharacterReferences, describeStorageError } from '../../src/local/blobNames.js';

test('names Azure Storage accepts pass, whatever characters they hold', () => {
  for (const name of [
    'a.csv',
    'line\nbreak.csv',
    'x#y%20z?.csv',
    'dir/sub/x.csv',
    '..x.csv',
    'x..csv',
    'a/.hidden/b',
    'n'.repeat(1024),
    '📊.csv',
  ]) {
    assert.equal(blobNameProblem(name), undefined, JSON.stringify(name));
  }
});

test('names that would address another blob or container, or have no URL form, are refused with the reason', () => {
  assert.match(blobNameProblem('')!, /empty/);
  assert.match(blobNameProblem('n'.repeat(1025))!, /longer than 1024 characters \(1025\)/);
  for (const name of ['..', '../x.csv', 'a/../../b', './x', 'a/./b', '..\\x.csv', 'a\\..\\b', 'a/..']) {
    assert.match(blobNameProblem(name)!, /"\." or "\.\." segment/, name);
  }
  assert.match(blobNameProblem('bad-\ud800.csv')!, /lone surrogate/);
  assert.match(blobNameProblem('bad-\udc00x.csv')!, /lone surrogate/);
  assert.equal(blobNameProblem('pair-\ud83d\udcca.csv'), undefined);
});

test('XML character references decode; other ampersands stay', () => {
  assert.equal(decodeCharacterReferences('cr&#xD;x&#13;y&#x1F4CA;.csv'), 'cr\rx\ry📊.csv');
  assert.equal(decodeCharacterReferences('a&amp;b&#xZZ;&#;c'), 'a&amp;b&#xZZ;&#;c');
  assert.equal(decodeCharacterReferences('&#x110000;'), '&#x110000;');
});

test('storage failures are worded with their status; an empty Azurite 500 says what to do', () => {
  const fail = Object.assign(new Error(''), { statusCode: 500 });
  assert.match(
    describeStorageError(fail),
    /^Error \(HTTP 500\); the storage emulator \(Azurite\) .*rename or delete that blob/,
  );
  const notFound = Object.assign(new Error('The specified container does not exist.'), {
    statusCode: 404,
    code: 'ContainerNotFound',
  });
  assert.equal(describeStorageError(notFound), 'The specified container does not exist. (HTTP 404, ContainerNotFound)');
  assert.equal(
    describeStorageError(new Error('connect ECONNREFUSED 127.0.0.1:10000')),
    'connect ECONNREFUSED 127.0.0.1:10000',
  );
});
