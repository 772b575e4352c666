// Test helper: a throw-away RSA key and self-signed X.509 certificate, DER-encoded by hand (node:crypto
// parses certificates but cannot make them), for the certificate client-assertion tests and, with an IP address
// subject alternative name, for a local HTTPS server that a client trusts through its `ca` option.
import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const integer = (bytes: number[]): Buffer => tlv(0x02, Buffer.from(bytes[0]! & 0x80 ? [0, ...bytes] : bytes));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const NULL = Buffer.from([0x05, 0x00]);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const utcTime = (date: Date): Buffer =>
  tlv(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/** Extension subjectAltName (2.5.29.17) holding one iPAddress ([7] IMPLICIT OCTET STRING). */
function subjectAltNameIp(ipAddress: string): Buffer {
  const octets = Buffer.from(ipAddress.split('.').map(Number));
  return sequence(oid('2.5.29.17'), tlv(0x04, sequence(tlv(0x87, octets))));
}

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;
}

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Certificate and key in one PEM text, as a Key Vault PEM certificate's secret holds them. */
  combinedPem: string;
  certificate: X509Certificate;
}

/** `ipAddress` (IPv4) adds a subjectAltName extension, which TLS clients check for an https://<ip> URL. */
export function selfSignedCertificate(commonName = 'collector-test', ipAddress?: string): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sha256WithRsa = sequence(oid('1.2.840.113549.1.1.11'), NULL);
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));
  const now = Date.now();
  const tbs = sequence(
    tlv(0xa0, integer([2])), // version v3
    integer([0x01, 0x23, 0x45, 0x67]),
    sha256WithRsa,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(ipAddress === undefined ? [] : [tlv(0xa3, sequence(subjectAltNameIp(ipAddress)))]),
  );
  const der = sequence(tbs, sha256WithRsa, bitString(sign('sha256', tbs, privateKey)));
  const certificatePem = pem('CERTIFICATE', der);
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    certificatePem,
    privateKeyPem,
    combinedPem: `${privateKeyPem}${certificatePem}`,
    certificate: new X509Certificate(certificatePem),
  };
}
