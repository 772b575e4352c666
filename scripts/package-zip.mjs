// A small zip writer for the deployment package: every file under a folder, deflated, with its Unix
// mode (so executables stay executable on the Linux host). Zip64 is not written: the package stays far
// below 4 GB and 65,535 entries, and the writer refuses anything larger.
import { closeSync, openSync, readFileSync, readdirSync, lstatSync, readlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** @param {Buffer} data */
function crc32(data) {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Files under `root` (relative paths with /), sorted; symbolic links are stored as links. */
function listTree(root, prefix = '') {
  const out = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const stat = lstatSync(join(root, rel));
    if (stat.isDirectory()) out.push(...listTree(root, rel));
    else out.push({ rel, stat });
  }
  return out;
}

const FIXED_DOS_TIME = 0; // 00:00:00
const FIXED_DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1; // 2020-01-01: the same tree gives the same zip

/**
 * Zips every file under `root` into `zipPath`.
 * @param {string} root @param {string} zipPath
 * @returns {{ entries: number, bytes: number, unpackedBytes: number }}
 */
export function zipFolder(root, zipPath) {
  const files = listTree(root);
  if (files.length > 0xffff) throw new Error(`${files.length} files: more than a zip without Zip64 holds`);
  const fd = openSync(zipPath, 'w');
  const central = [];
  let offset = 0;
  let unpackedBytes = 0;
  const write = (buffer) => {
    writeSync(fd, buffer);
    offset += buffer.length;
  };
  try {
    for (const { rel, stat } of files) {
      const isLink = stat.isSymbolicLink();
      const data = isLink ? Buffer.from(readlinkSync(join(root, rel))) : readFileSync(join(root, rel));
      unpackedBytes += data.length;
      const deflated = deflateRawSync(data);
      const useDeflate = deflated.length < data.length;
      const body = useDeflate ? deflated : data;
      const method = useDeflate ? 8 : 0; // deflate, or stored when deflating does not help
      const crc = crc32(data);
      const name = Buffer.from(rel, 'utf8');
      if (offset + body.length > 0xffffffff) throw new Error('the package is larger than 4 GB');
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(FIXED_DOS_TIME, 10);
      local.writeUInt16LE(FIXED_DOS_DATE, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      const headerOffset = offset;
      write(local);
      write(name);
      write(body);
      const mode = isLink ? 0o120777 : 0o100000 | (stat.mode & 0o777);
      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, zip 2.0
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(method, 10);
      entry.writeUInt16LE(FIXED_DOS_TIME, 12);
      entry.writeUInt16LE(FIXED_DOS_DATE, 14);
      entry.writeUInt32LE(crc, 16);
      entry.writeUInt32LE(body.length, 20);
      entry.writeUInt32LE(data.length, 24);
      entry.writeUInt16LE(name.length, 28);
      entry.writeUInt32LE((mode << 16) >>> 0, 38);
      entry.writeUInt32LE(headerOffset, 42);
      central.push(entry, name);
    }
    const centralStart = offset;
    for (const part of central) write(part);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    write(end);
  } finally {
    closeSync(fd);
  }
  return { entries: files.length, bytes: offset, unpackedBytes };
}
