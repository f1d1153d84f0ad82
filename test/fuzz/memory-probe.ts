// `tsx test/fuzz/memory-probe.ts [frames] [port]`: one frame-fuzz run for its RSS figures (before,
// peak, 5 s after the hostile clients left); node flags for the engine come from NODE_OPTIONS.
import { formatFrameReport, runFrameFuzz } from './frames.js';

const frames = Number(process.argv[2] ?? 200000);
const port = Number(process.argv[3] ?? 10730);
const rep = await runFrameFuzz({ seed: 5, frames, port });
process.stdout.write(`NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}\n${formatFrameReport(rep)}\n`);
process.exit(rep.ok ? 0 : 1);
