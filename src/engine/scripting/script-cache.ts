// EVAL's script cache: sha1(body) -> body and flags, and the compiled function per VM. SCRIPT LOAD
// and EVAL add to it, SCRIPT FLUSH empties it. Bodies are kept so a rebuilt VM can recompile.
import { createHash } from '../util/crypto.cjs';
import { parseShebang } from './flags.js';
import type { ScriptVm } from './vm.js';

export interface CachedScript {
  sha: string;
  body: Buffer;
  flags: number;
  /** Registry ref of the compiled function in the current VM (-1: not compiled there). */
  ref: number;
}

export function sha1hex(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

export class ScriptCache {
  readonly scripts = new Map<string, CachedScript>();
  /** Sum of cached bodies' sizes (INFO used_memory_scripts_eval). */
  bodyBytes = 0;

  get(sha: string): CachedScript | undefined {
    return this.scripts.get(sha);
  }

  /** Compiles and caches a body; returns the entry or the error reply ("ERR ..."). */
  add(vm: ScriptVm, body: Buffer, sha = sha1hex(body)): CachedScript | string {
    const have = this.scripts.get(sha);
    if (have) return have;
    const sb = parseShebang(body);
    if (typeof sb === 'string') return 'ERR ' + sb;
    const ref = vm.compile(sb.code, '@user_script');
    if (typeof ref === 'string') return `ERR Error compiling script (new function): ${ref}`;
    const entry = { sha, body, flags: sb.flags, ref };
    this.scripts.set(sha, entry);
    this.bodyBytes += body.length;
    return entry;
  }

  flush(vm: ScriptVm | null): void {
    if (vm) for (const s of this.scripts.values()) if (s.ref >= 0) vm.unref(s.ref);
    this.scripts.clear();
    this.bodyBytes = 0;
    vm?.collect();
  }
}
