// The parts of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  export interface Histogram { average: number; mean: number; p50: number; p99: number; max: number; total?: number }
  export interface Result { requests: Histogram & { total: number }; latency: Histogram; errors: number; non2xx: number; duration: number }
  export interface Options { url: string; connections?: number; duration?: number; amount?: number; headers?: Record<string, string>; pipelining?: number; workers?: number }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
