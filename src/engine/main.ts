// `node dist/engine/main.js ...`: the engine's entry under its first name; main.cts (CommonJS, the
// faster start) does the work.
import './main.cjs';
