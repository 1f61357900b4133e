import { crc32, deflateRawSync } from 'node:zlib';

/**
 * One file of a zip archive, already compressed, so that parts which never change can be
 * compressed once and reused by every archive that holds them.
 */
export interface ZipPart {
  readonly name: Buffer;
  readonly utf8Name: boolean;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly size: number;
  readonly data: Buffer;
}

/** 1980-01-01 00:00, the earliest MS-DOS date: archives carry no time of their own, so equal input gives equal bytes. */
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const MAX_32 = 0xffffffff;

/**
 * A file for `zipArchive`: deflated (zlib level 6) unless that does not make it smaller, then
 * stored. Throws a RangeError for content of 4 GiB or more, which needs ZIP64.
 */
export function zipPart(name: string, content: string | Buffer): ZipPart {
  const raw = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (raw.length >= MAX_32) throw new RangeError(`zip entry ${name} is too large without ZIP64`);
  const nameBytes = Buffer.from(name, 'utf8');
  const deflated = deflateRawSync(raw);
  const stored = deflated.length >= raw.length;
  return {
    name: nameBytes, utf8Name: nameBytes.length !== name.length, method: stored ? 0 : 8,
    crc: crc32(raw), size: raw.length, data: stored ? raw : deflated,
  };
}

/**
 * A zip archive (PKWARE APPNOTE 6.3, no ZIP64, no data descriptors) of the parts in the given
 * order. Throws a RangeError when the archive would need ZIP64 (65535 entries or 4 GiB).
 */
export function zipArchive(parts: readonly ZipPart[]): Buffer {
  if (parts.length > 0xfffe) throw new RangeError('too many zip entries without ZIP64');
  let total = 22;
  for (const p of parts) total += 30 + 46 + 2 * p.name.length + p.data.length;
  if (total >= MAX_32) throw new RangeError('zip archive too large without ZIP64');
  const out = Buffer.allocUnsafe(total);
  const offsets: number[] = [];
  let at = 0;
  // Fields shared by the local header (from its offset 4) and the central directory entry (from offset 6).
  const common = (p: ZipPart, o: number) => {
    out.writeUInt16LE(20, o); // version needed: 2.0, deflate
    out.writeUInt16LE(p.utf8Name ? 0x0800 : 0, o + 2);
    out.writeUInt16LE(p.method, o + 4);
    out.writeUInt16LE(DOS_TIME, o + 6);
    out.writeUInt16LE(DOS_DATE, o + 8);
    out.writeUInt32LE(p.crc >>> 0, o + 10);
    out.writeUInt32LE(p.data.length, o + 14);
    out.writeUInt32LE(p.size, o + 18);
    out.writeUInt16LE(p.name.length, o + 22);
    out.writeUInt16LE(0, o + 24); // extra field length
  };
  for (const p of parts) {
    offsets.push(at);
    out.writeUInt32LE(0x04034b50, at);
    common(p, at + 4);
    at += 30;
    at += p.name.copy(out, at);
    at += p.data.copy(out, at);
  }
  const directory = at;
  parts.forEach((p, i) => {
    out.writeUInt32LE(0x02014b50, at);
    out.writeUInt16LE(20, at + 4); // made by: MS-DOS attributes, version 2.0
    common(p, at + 6);
    out.writeUInt16LE(0, at + 32); // comment length
    out.writeUInt16LE(0, at + 34); // disk number
    out.writeUInt16LE(0, at + 36); // internal attributes
    out.writeUInt32LE(0, at + 38); // external attributes
    out.writeUInt32LE(offsets[i]!, at + 42);
    at += 46;
    at += p.name.copy(out, at);
  });
  out.writeUInt32LE(0x06054b50, at);
  out.writeUInt16LE(0, at + 4);
  out.writeUInt16LE(0, at + 6);
  out.writeUInt16LE(parts.length, at + 8);
  out.writeUInt16LE(parts.length, at + 10);
  out.writeUInt32LE(at - directory, at + 12);
  out.writeUInt32LE(directory, at + 16);
  out.writeUInt16LE(0, at + 20);
  return out;
}
