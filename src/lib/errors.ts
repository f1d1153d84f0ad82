// Errors a user caused (bad input, unreachable node, ...): printed as one line, never with a stack.
export class UserError extends Error {
  /** 1 for failures, 2 for usage errors (the CLI contract). */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
