// A full garbage collection on demand, for the memory meter and the memory hygiene. V8's
// --expose-gc is set on first use, never at start-up: a flag set before the bundle's code cache is
// made changes V8's flag hash, and every later start would reject the cache.
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | null | undefined;

/** Runs a full GC; false when this V8 does not allow exposing gc. */
export function fullGc(): boolean {
  if (gcFn === undefined) {
    gcFn = (globalThis as { gc?: () => void }).gc ?? null;
    if (!gcFn) {
      try {
        v8.setFlagsFromString('--expose-gc');
        gcFn = vm.runInNewContext('gc') as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}
