// The downloader's file contents, shared by the file server and by scenarios that check integrity.
import { createHash } from 'node:crypto';

// Size in bytes of file `index`: (index + 1) * stepKb KiB.
export function fileSize(index, stepKb = 100) {
  return (index + 1) * stepKb * 1024;
}

// Bytes [start, end) of file `index`: byte j is (j + 7 * index) % 251.
export function fileChunk(index, start, end) {
  const buf = Buffer.allocUnsafe(end - start);
  for (let j = start; j < end; j++) buf[j - start] = (j + 7 * index) % 251;
  return buf;
}

// The sha256 (hex) of the whole file `index`.
export function fileSha256(index, stepKb = 100) {
  return createHash('sha256').update(fileChunk(index, 0, fileSize(index, stepKb))).digest('hex');
}
