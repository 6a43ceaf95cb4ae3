import { crc32 } from 'node:zlib';

/**
 * The checksum Flyway records for a SQL migration: CRC-32 over the UTF-8 bytes of each line
 * without its line terminator (Java's BufferedReader.readLine), a leading BOM dropped, stored
 * as a signed 32-bit integer. Line endings therefore do not change it.
 */
export function flywayChecksum(text: string): number {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  // readLine() yields no final empty line for a file that ends with a terminator.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let crc = 0;
  for (const line of lines) crc = crc32(Buffer.from(line, 'utf8'), crc);
  return crc | 0;
}
