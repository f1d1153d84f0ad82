// The node's scripting state: the VM (loaded on first use), EVAL's script cache, the function
// libraries, and the script running now. One per server, found with scriptingOf(srv).
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import { loadLua, type LuaModule } from './lua.js';
import { ScriptVm } from './vm.js';
import { ScriptCache } from './script-cache.js';
import { setLogServer } from './api.js';
import type { RunCtx } from './run-context.js';
import { FunctionRegistry, loadLibrary } from './functions.js';
import { installBusyHook } from './busy.js';

export class Scripting {
  private module: LuaModule | null = null;
  private vmInstance: ScriptVm | null = null;
  private loading: Promise<void> | null = null;
  readonly cache = new ScriptCache();
  readonly functions = new FunctionRegistry();
  /** The script running now (possibly suspended while busy), null when none. */
  running: RunCtx | null = null;
  private busyNow = false;
  /** Called when busy changes (the BUSY guard is armed while it is true). */
  readonly onBusy: (() => void)[] = [];
  /** Clients (our master's link) whose commands wait for the busy script to end. */
  readonly heldClients = new Set<Client>();
  /** The script's own client, reused (Redis's lua client). */
  private fakeClient: Client | null = null;
  /** Listeners told when the VM becomes ready (function libraries compile then). */
  readonly onVm: ((vm: ScriptVm) => void)[] = [];

  /** The running script passed busy-reply-threshold: other clients get -BUSY. */
  get busy(): boolean {
    return this.busyNow;
  }

  set busy(on: boolean) {
    if (on === this.busyNow) return;
    this.busyNow = on;
    for (const f of this.onBusy) f();
  }

  constructor(readonly srv: Server) {
    setLogServer(srv);
  }

  get ready(): boolean {
    return this.module !== null;
  }

  /** Loads the WebAssembly VM (once); resolves when `vm` can be used. */
  load(): Promise<void> {
    this.loading ??= loadLua().then((m) => {
      this.module = m;
    });
    return this.loading;
  }

  /** The VM, created on first use after load(). */
  get vm(): ScriptVm {
    if (!this.vmInstance) {
      if (!this.module) throw new Error('Lua VM not loaded');
      const vm = (this.vmInstance = new ScriptVm(this.module));
      installBusyHook(this, vm);
      // Libraries loaded from an RDB before the VM existed.
      const pending = this.functions.pending;
      this.functions.pending = [];
      for (const code of pending) {
        const r = loadLibrary(vm, this.functions, code, true);
        if (typeof r === 'string') this.srv.log.warning(`Failed loading a function library: ${r}`);
      }
      for (const h of this.onVm) h(vm);
    }
    return this.vmInstance;
  }

  get vmIfCreated(): ScriptVm | null {
    return this.vmInstance;
  }

  fake(): Client {
    this.fakeClient ??= this.srv.createFakeClient();
    return this.fakeClient;
  }
}

const states = new WeakMap<Server, Scripting>();

export function scriptingOf(srv: Server): Scripting {
  let s = states.get(srv);
  if (!s) {
    s = new Scripting(srv);
    states.set(srv, s);
  }
  return s;
}
