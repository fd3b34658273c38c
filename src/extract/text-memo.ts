/**
 * A bounded memo of a pure function of a message's text. A capture repeats a few messages thousands of
 * times (a retry loop; the bench's 1 GB capture has 67 excerpts for 71,250 events), and each event's
 * excerpt and cause were made again from the same text.
 */

/**
 * A copy of `text` that holds none of the string it was cut from. A message is a slice of a scan job's
 * candidate text (256 Ki characters): a memo keyed by the slice would keep every such job alive.
 * Appending makes a pair, and slicing that pair copies it whole into a string of its own.
 */
export function ownCopy(text: string): string {
  return (text + ' ').slice(0, -1);
}

/** Settings of a TextMemo. */
export interface TextMemoOptions {
  /** Texts kept; a full memo starts again. */
  size: number;
  /** Longest text kept, in characters (longer ones are computed each time). */
  maxChars: number;
  /** Lookups made without the memo after a full memo answered fewer than one in eight (texts that seldom repeat). */
  rest: number;
}

/** Remembers `make(text)` for the texts seen lately; `make` must be a pure function of the text. */
export class TextMemo<V> {
  private readonly known = new Map<string, V>();
  /** Lookups left before the memo is used again. */
  private resting = 0;
  /** Answers from memory since the memo last started again. */
  private hits = 0;

  constructor(
    private readonly make: (text: string) => V,
    private readonly o: TextMemoOptions,
  ) {}

  /** make(text), from memory when the text was seen lately. */
  get(text: string): V {
    if (text.length > this.o.maxChars) return this.make(text);
    if (this.resting > 0) {
      this.resting--;
      return this.make(text);
    }
    const known = this.known.get(text);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    if (this.known.size >= this.o.size) {
      // Texts that seldom repeat (a request id in each) would pay a copy and an insert each for little:
      // a full memo that saved less than one in eight rests for a while, then tries again.
      if (this.hits * 8 < this.o.size) this.resting = this.o.rest;
      this.known.clear();
      this.hits = 0;
      return this.make(text);
    }
    // The value is made from the copy too: a value that is the text or a slice of it holds the copy only.
    const own = ownCopy(text);
    const value = this.make(own);
    this.known.set(own, value);
    return value;
  }
}
