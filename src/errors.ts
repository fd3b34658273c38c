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

/**
 * The value of `--flag` as the user typed it (the last one given), for a message about a number flag: yargs turns
 * `--context abc` into NaN, and "--context NaN" named a value no one typed. Falls back to the parsed value.
 */
export function typedValue(flag: string, parsed: unknown, argv: readonly string[] = process.argv): string {
  let typed: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === flag && i + 1 < argv.length) typed = argv[i + 1];
    else if (a.startsWith(`${flag}=`)) typed = a.slice(flag.length + 1);
  }
  return typed ?? String(parsed);
}
