import { describe, expect, it } from 'vitest';
import { sniffContentType, typeAllowed } from '../../src/files/sniff.js';
import { png } from './upload-helpers.js';

const sniff = (text: string | Buffer, name = 'file', declaredType?: string, complete = true) =>
  sniffContentType(typeof text === 'string' ? Buffer.from(text) : text, { name, declaredType, complete });

describe('sniffContentType', () => {
  it('believes the bytes over the name and the header', async () => {
    expect(await sniff(await png(), 'report.pdf', 'application/pdf')).toBe('image/png');
    expect(await sniff('%PDF-1.7\n%âãÏÓ\n', 'image.png', 'image/png')).toBe('application/pdf');
  });

  it('names markup as markup whatever it is called', async () => {
    expect(await sniff('<!DOCTYPE html><p>hi</p>', 'notes.txt', 'text/plain')).toBe('text/html');
    expect(await sniff('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', 'a.png')).toBe('image/svg+xml');
    expect(await sniff('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', 'a.txt')).toBe('image/svg+xml');
    expect(await sniff('<?xml version="1.0"?><feed/>', 'a.txt')).toBe('application/xml');
  });

  it('takes CSV and JSON only when claimed and the bytes agree; otherwise plain text', async () => {
    expect(await sniff('a,b\n1,2\n', 'people.csv')).toBe('text/csv');
    expect(await sniff('a,b\n1,2\n', 'people.txt')).toBe('text/plain');
    expect(await sniff('{"a":1}', 'x.json')).toBe('application/json');
    expect(await sniff('{"a":1}', 'x.txt')).toBe('application/json');
    expect(await sniff('{not json', 'x.json')).toBe('text/plain');
  });

  it('calls NUL bytes or broken UTF-8 binary, but not a character cut at the end of an incomplete head', async () => {
    expect(await sniff(Buffer.from([0x68, 0x00, 0x69]), 'a.txt', 'text/plain')).toBe('application/octet-stream');
    expect(await sniff(Buffer.from([0x68, 0xff, 0xfe, 0x69]), 'a.txt')).toBe('application/octet-stream');
    const cut = Buffer.from('héllo wörld ✓').subarray(0, -1);
    expect(await sniff(cut, 'a.txt', undefined, false)).toBe('text/plain');
    expect(await sniff(cut, 'a.txt', undefined, true)).toBe('application/octet-stream');
  });
});

describe('typeAllowed', () => {
  it('match exact types, `type/*` and `*`', () => {
    expect(typeAllowed('image/png', ['image/*'])).toBe(true);
    expect(typeAllowed('image/svg+xml', ['image/png', 'image/jpeg'])).toBe(false);
    expect(typeAllowed('application/zip', ['*'])).toBe(true);
    expect(typeAllowed('imagex/png', ['image/*'])).toBe(false);
  });
});
