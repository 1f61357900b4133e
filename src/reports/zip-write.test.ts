import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { zipEntry, zipNames } from './docx-text.ts';
import { zipArchive, zipPart } from './zip-write.ts';

describe('zip writer', () => {
  const text = '<a>协作</a>'.repeat(500);
  const archive = zipArchive([zipPart('[Content_Types].xml', text), zipPart('x/短.txt', 'ab'), zipPart('empty', '')]);

  it('writes deflated and stored entries in the given order that read back byte for byte', () => {
    expect(zipNames(archive)).toEqual(['[Content_Types].xml', 'x/短.txt', 'empty']);
    expect(zipEntry(archive, '[Content_Types].xml').toString('utf8')).toBe(text);
    expect(zipEntry(archive, 'x/短.txt').toString('utf8')).toBe('ab');
    expect(zipEntry(archive, 'empty').length).toBe(0);
    // Repetitive text is deflated; two bytes would only grow, so they are stored.
    expect(zipPart('a', text).method).toBe(8);
    expect(zipPart('a', 'ab').method).toBe(0);
  });

  it('is read by another zip implementation, which checks every CRC-32', async () => {
    const zip = await JSZip.loadAsync(archive, { checkCRC32: true });
    expect(await zip.file('[Content_Types].xml')!.async('string')).toBe(text);
    expect(await zip.file('x/短.txt')!.async('string')).toBe('ab');
  });

  it('gives the same bytes for the same parts', () => {
    expect(zipArchive([zipPart('a', text)]).equals(zipArchive([zipPart('a', text)]))).toBe(true);
  });
});
