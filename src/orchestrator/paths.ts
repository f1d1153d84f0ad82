// Where the package's own files are, from src/ (tsx, vitest) and dist/ alike: both sit two levels
// below the package root.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOPOLOGIES_DIR = path.join(PACKAGE_ROOT, 'topologies');
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const ENGINE_MAIN = path.join(PACKAGE_ROOT, 'dist', 'engine', 'main.cjs');
export const DAEMON_MAIN = path.join(PACKAGE_ROOT, 'dist', 'orchestrator', 'supervisor', 'daemon.js');

/** The folder holding one state folder per topology: --dir, else $KVCTL_HOME, else ./.kvctl. */
export function kvctlHome(dir?: string): string {
  return path.resolve(dir ?? process.env.KVCTL_HOME ?? '.kvctl');
}
