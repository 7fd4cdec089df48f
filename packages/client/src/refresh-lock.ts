/** The part of the Web Locks API (`navigator.locks`) the client uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The browser's lock manager (shared by every tab of the origin), or undefined (Node, old browsers). */
export function webLocks(): LockManagerLike | undefined {
  const navigator = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return typeof navigator?.locks?.request === 'function' ? navigator.locks : undefined;
}

// Without Web Locks: one queue per lock name, shared by every client of this JavaScript realm.
const queues = new Map<string, Promise<unknown>>();

/** Runs `callback` once every earlier holder of `name` in this process has finished. */
export function withLocalLock<T>(name: string, callback: () => Promise<T>): Promise<T> {
  const previous = queues.get(name) ?? Promise.resolve();
  const run = previous.then(callback, callback);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(name, tail);
  void tail.then(() => {
    if (queues.get(name) === tail) queues.delete(name);
  });
  return run;
}
