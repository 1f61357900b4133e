/**
 * Computations that run synchronously while their inputs are at hand and become asynchronous only
 * when one of them is not. A computation is a generator that yields a promise whenever it must wait
 * and receives its value back (`yield* settle(x)`); `run` drives it without a single promise or
 * microtask as long as nothing it reads is a promise. The indicator engine evaluates a whole
 * catalogue from memory this way when a batch has prefetched its figures, and waits on the database
 * only for what the batch does not hold.
 */

/** A value, or a promise of it. */
export type Maybe<T> = T | PromiseLike<T>;

/** A computation giving a `T`; it yields only the promises it waits on. */
export type Steps<T> = Generator<PromiseLike<unknown>, T, unknown>;

export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** The value of `x`, waiting for it only when it is a promise. */
export function* settle<T>(x: Maybe<T>): Steps<T> {
  return isThenable(x) ? ((yield x) as T) : x;
}

/**
 * Runs a computation: its result directly when it never had to wait, otherwise a promise of it. A
 * rejected promise is thrown into the computation where it waited, so `try` inside it works as with
 * `await`; an error the computation does not catch propagates (thrown, or as the promise's rejection).
 */
export function run<T>(steps: Steps<T>): Maybe<T> {
  const first = steps.next();
  return first.done ? first.value : resume(steps, first.value);
}

async function resume<T>(steps: Steps<T>, waiting: PromiseLike<unknown>): Promise<T> {
  for (;;) {
    let next: IteratorResult<PromiseLike<unknown>, T>;
    try {
      const value = await waiting;
      next = steps.next(value);
    } catch (e) {
      // Either the awaited promise rejected (thrown into the computation) or the computation itself
      // threw, in which case the generator is finished and throwing into it rethrows the same error.
      next = steps.throw(e);
    }
    if (next.done) return next.value;
    waiting = next.value;
  }
}

/** `run` for callers that want a promise either way. */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  return run(steps);
}
