import { describe, expect, it } from 'vitest';
import { isThenable, run, runAsync, settle, type Steps } from './steps.ts';

function* sum(inputs: Array<number | Promise<number>>): Steps<number> {
  let total = 0;
  for (const x of inputs) total += yield* settle(x);
  return total;
}

describe('steps', () => {
  it('answers directly, with no promise, when nothing it reads is a promise', () => {
    const r = run(sum([1, 2, 3]));
    expect(isThenable(r)).toBe(false);
    expect(r).toBe(6);
  });

  it('turns into a promise at the first input that is one, and keeps the order of the rest', async () => {
    const seen: number[] = [];
    function* logged(): Steps<number> {
      for (const x of [1, Promise.resolve(2), 3, Promise.resolve(4)]) seen.push(yield* settle(x));
      return seen.length;
    }
    const r = run(logged());
    expect(isThenable(r)).toBe(true);
    expect(seen).toEqual([1]);
    expect(await r).toBe(4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('throws a rejection into the computation where it waited, so its own try catches it', async () => {
    function* guarded(): Steps<string> {
      try {
        yield* settle(Promise.reject(new Error('db down')));
        return 'not reached';
      } catch (e) {
        return `caught ${(e as Error).message}`;
      }
    }
    expect(await run(guarded())).toBe('caught db down');
  });

  it('propagates an error the computation does not catch: thrown when direct, a rejection after a wait', async () => {
    function* failing(wait: boolean): Steps<number> {
      if (wait) yield* settle(Promise.resolve(0));
      throw new Error('bad formula');
    }
    expect(() => run(failing(false))).toThrow('bad formula');
    await expect(run(failing(true))).rejects.toThrow('bad formula');
    await expect(runAsync(failing(false))).rejects.toThrow('bad formula');
  });
});
