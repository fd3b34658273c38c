/** Errors meant for people: a stable kind that maps to the exit code, and a one-line message. */

/** Exit codes, documented in README.md and `--help`. */
export const EXIT = {
  ok: 0,
  /** --fail-on threshold crossed, or `explain` met an unknown code. */
  alert: 1,
  usage: 2,
  input: 3,
  database: 4,
  interrupted: 130,
} as const;

export type ErrorKind = 'usage' | 'input' | 'database' | 'alert';

/** An error caused by the user's input or environment, shown as one line without a stack. */
export class UserError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }
}
