// A small journal of planned slot moves (under $KVCTL_HOME or ~/.kvctl): the plan is written once
// before the first move, and each finished slot is appended to a side file (a rebalance has
// thousands of slots: rewriting the plan each time would cost more than the moves), so an interrupted reshard or rebalance is found and finished by
// the next reshard or fix instead of leaving half a plan behind.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Move {
  slot: number;
  from: string;
  to: string;
}

export interface JournalData {
  version: 1;
  kind: 'reshard' | 'rebalance';
  createdAt: string;
  seed: string;
  moves: Move[];
  done: number[];
}

export function journalDir(): string {
  return path.join(process.env.KVCTL_HOME ?? path.join(os.homedir(), '.kvctl'), 'journal');
}

export class Journal {
  private readonly done: Set<number>;
  private constructor(readonly file: string, readonly data: JournalData) {
    this.done = new Set(data.done);
  }

  static create(kind: JournalData['kind'], seed: string, moves: Move[]): Journal {
    mkdirSync(journalDir(), { recursive: true });
    const file = path.join(journalDir(), `${kind}-${Date.now()}-${process.pid}.json`);
    const data: JournalData = { version: 1, kind, createdAt: new Date().toISOString(), seed, moves, done: [] };
    // Write-then-rename so a crash never leaves a half-written plan.
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
    return new Journal(file, data);
  }

  /** Every journal left behind, oldest first; unreadable files are skipped, not fatal. */
  static pending(): Journal[] {
    let files: string[];
    try {
      files = readdirSync(journalDir()).filter((f) => f.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const out: Journal[] = [];
    for (const f of files) {
      const file = path.join(journalDir(), f);
      try {
        const data = JSON.parse(readFileSync(file, 'utf8')) as JournalData;
        if (data.version !== 1 || !Array.isArray(data.moves)) continue;
        let done = '';
        try { done = readFileSync(`${file}.done`, 'utf8'); } catch { /* nothing finished yet */ }
        // A torn last line (crash mid-append) is just not counted as done.
        data.done = done.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
        out.push(new Journal(file, data));
      } catch { /* a torn or foreign file: ignore */ }
    }
    return out;
  }

  remaining(): Move[] {
    return this.data.moves.filter((m) => !this.done.has(m.slot));
  }

  /** Records finished slots, a batch in one append (a fresh reshard finishes a whole batch at once). */
  markDone(...slots: number[]): void {
    for (const slot of slots) this.done.add(slot);
    appendFileSync(`${this.file}.done`, slots.map((slot) => `${slot}\n`).join(''));
  }

  finish(): void {
    rmSync(`${this.file}.done`, { force: true });
    rmSync(this.file, { force: true });
  }
}
