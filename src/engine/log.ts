// Redis's log line format: `pid:R dd Mon yyyy hh:mm:ss.mmm <level-char> message`, where R is the
// role (M master, S replica, X sentinel, C child) and the level char is . - * # for
// debug/verbose/notice/warning.
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatTimestamp(d: Date): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level: LogLevel = 'notice';
  /** Empty: stdout. */
  file = '';
  role: 'M' | 'S' | 'X' | 'C' = 'M';

  log(level: LogLevel, msg: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const line = `${process.pid}:${this.role} ${formatTimestamp(new Date())} ${MARK[level]} ${msg}\n`;
    if (this.file) {
      try {
        appendFileSync(this.file, line);
      } catch {
        process.stdout.write(line);
      }
    } else {
      process.stdout.write(line);
    }
  }

  debug(msg: string): void { this.log('debug', msg); }
  verbose(msg: string): void { this.log('verbose', msg); }
  notice(msg: string): void { this.log('notice', msg); }
  warning(msg: string): void { this.log('warning', msg); }
}
