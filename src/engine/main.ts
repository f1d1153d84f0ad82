// The engine as a process, like redis-server: `node dist/engine/main.js [redis.conf] [--directive value]...`
import { startFromArgs } from './start.js';

startFromArgs(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
