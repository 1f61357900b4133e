// The reading side of a large import, in its own thread: scans the files and posts events to the
// importing thread, waiting for an acknowledgement of each chunk of rows so it never runs more than
// a few chunks ahead of the writer.
import { parentPort, workerData } from 'node:worker_threads';
import type { ImportFile } from './import.ts';
import { scanFiles, type ScanOptions } from './scan.ts';

const { files, opts, readAhead } = workerData as { files: ImportFile[]; opts: ScanOptions; readAhead: number };
let credit = readAhead;
let wake: (() => void) | undefined;
parentPort!.on('message', () => { credit++; wake?.(); });

for await (const ev of scanFiles(files, opts)) {
  if (ev.t === 'rows') {
    while (credit <= 0) await new Promise<void>((r) => { wake = r; });
    wake = undefined;
    credit--;
  }
  parentPort!.postMessage(ev);
}
parentPort!.close();
