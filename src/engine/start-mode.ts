// How this engine process started, for INFO server's kvctl_engine_start (tests check that kvctl's
// nodes really run from the start-up snapshot, and the bundle's code cache is accepted):
// 'snapshot', 'bundle', 'bundle-cache-rejected', 'modules', or 'embedded' (kvctl server, tests in-process).
let mode = 'embedded';

export function setStartMode(m: string): void {
  mode = m;
}

export function startMode(): string {
  return mode;
}
