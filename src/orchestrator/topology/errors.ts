import { UserError } from '../../lib/errors.js';
import type { Issue, YamlPath } from './types.js';

/** Renders a YAML path as people write it: nodes[1].port, sentinel.quorum. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

/** Every problem found in a topology, one line each, naming the file, the YAML path and what is allowed. */
export class TopologyError extends UserError {
  readonly issues: Issue[];
  constructor(file: string, issues: Issue[], locate: (p: YamlPath) => string = (p) => `${file} ${formatPath(p)}`) {
    const lines = issues.map((i) => `${locate(i.path)}: ${i.message}`);
    super(
      issues.length === 1 ? `invalid topology ${lines[0]}` : `invalid topology ${file} (${issues.length} problems):\n  ${lines.join('\n  ')}`,
      1,
    );
    this.name = 'TopologyError';
    this.issues = issues;
  }
}
