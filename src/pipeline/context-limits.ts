/**
 * The bounds of --context, apart from the context module itself: the config file is checked at
 * start-up by every command, which should not load the parsers and redaction to know two numbers.
 */

/** Records of context kept by default (--context). */
export const DEFAULT_CONTEXT = 5;
/** The most records of context --context may ask for. */
export const MAX_CONTEXT = 50;
