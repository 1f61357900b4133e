// The part of unzipper's API the workbook reader uses (the package ships no types).
declare module 'unzipper' {
  import type { Readable } from 'node:stream';

  interface CentralDirectory {
    files: Array<{ path: string; type: 'File' | 'Directory'; stream(): Readable }>;
  }
  const unzipper: { Open: { file(path: string): Promise<CentralDirectory> } };
  export default unzipper;
}
