import { describe, expect, it } from 'vitest';
import { formatDouble17 } from '../../src/engine/protocol/double.js';

// Expected texts are C's printf("%.17g") (what Redis 7.0 replies for scores), taken from Python's '%.17g'.
describe('formatDouble17', () => {
  it('prints integral and fractional doubles as %.17g does', () => {
    const cases: [number, string][] = [
      [5, '5'], [-42, '-42'], [0, '0'], [-0, '-0'],
      [9007199254740991, '9007199254740991'], [9007199254740992, '9007199254740992'],
      [1e16, '10000000000000000'], [1e17, '1e+17'], [123456789012345, '123456789012345'],
      [0.1, '0.10000000000000001'], [2.5, '2.5'], [-1e-5, '-1.0000000000000001e-05'],
      [1.5e300, '1.5000000000000001e+300'], [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [d, text] of cases) expect(formatDouble17(d), String(d)).toBe(text);
  });
});
