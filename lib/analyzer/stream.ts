/**
 * Reads a `pulumi stack export` file one resource at a time (issue 17: a 50,000-resource export
 * must not cost more than 3x its size in memory, and `JSON.parse` of the whole text alone costs
 * 3.4x). The file is read in chunks; a small byte scanner that knows strings, escapes and depth
 * finds each element of `deployment.resources`, and `JSON.parse` reads that element's slice
 * only, so neither the whole text nor every resource's inputs are ever held at once. Once the
 * text between two elements is known (`},{"urn":`), the next element's end is guessed from it
 * and `JSON.parse` of the guessed slice confirms it (only the exact element parses), which
 * spares the character loop, the largest part of the reader's cost.
 *
 * The reader is a fast path, not a second JSON parser: it only accepts a document it can prove
 * `JSON.parse` of the whole text would read the same way. The text around the resources array
 * (`version`, `manifest`, ...) is parsed by `JSON.parse` with the array emptied, every element
 * is an object parsed by `JSON.parse`, and between elements only JSON whitespace and single
 * commas are allowed. Anything else (invalid JSON, an element that is not an object, a second
 * `deployment` or `resources` key, a key near the top written with escapes, a missing array, an
 * unreadable file) throws `StreamBail`, and the caller reads the file the whole-document way,
 * which then reports the problem with the same message as before.
 */
import * as fs from "fs";
import { StringDecoder } from "string_decoder";
import { SIG_KEY } from "../../policy/common/pulumiFormat";
import {
  assertStackExport,
  isWellFormedResource,
  ProviderOrderError,
  StackEvaluator,
  type EvaluateOptions,
  type Evaluation,
} from "./evaluate";
import { UNKNOWN_SENTINEL_STRINGS } from "./server";

/** The streaming path cannot vouch for this file: read it as a whole document instead. */
export class StreamBail extends Error {
  constructor(why: string) {
    super(why);
    this.name = "StreamBail";
  }
}

/** One element of `deployment.resources`, as `JSON.parse` reads it. */
export interface StreamedResource {
  value: unknown;
  /**
   * No string anywhere in the element (key or value) is the secret signature key or one of the
   * `specials` (the SDK's unknown sentinels): its props need no secret unwrapping and can never
   * read as unknown. Decided on the parsed element, or, for an element the reader scanned
   * character by character (see `element`), on its text, where a string written with escapes
   * that could decode to one of them counts too.
   */
  plain: boolean;
}

const CHUNK = 1 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the scanner is. */
const TOP = 0; // outside the resources array: depth and the keys of the first two levels tracked
const FIRST = 1; // inside the resources array, before the first element or `]`
const AFTER = 2; // after an element: `,` or `]`
const NEXT = 3; // after a `,`: an element

/** Decoded, a string is at most 6 times shorter than written (`\uXXXX`). */
const ESCAPE_RATIO = 6;
/** Wrong guesses (`guessElement`) after which a file is scanned character by character only. */
const WRONG_GUESSES = 16;

/**
 * Pull reader over one export file: `next()` until undefined, then `document()`, then `close()`.
 * The file is decoded chunk by chunk (`StringDecoder`: a character split between chunks is
 * kept whole), and scanned as text: `indexOf` finds the end of each string.
 */
export class ExportReader {
  private readonly fd: number;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private readonly decoder = new StringDecoder("utf8");
  /** The decoded window of the file, and the scan position in it. */
  private text = "";
  private pos = 0;
  private eof = false;
  private started = false;
  private done = false;
  private mode = TOP;
  private depth = 0;
  private rootSeen = false;
  /** Per level (1, 2): the container kind and the last key read in it. */
  private readonly containers: number[] = [];
  private readonly keys: (string | undefined)[] = [];
  private lastString: string | undefined;
  private lastEscaped = false;
  private afterColon = false;
  private seenResources = false;
  /** The text around the resources array; `skeletonFrom` is where its unflushed part starts. */
  private skeleton = "";
  private skeletonFrom = 0;
  private readonly specials: readonly string[];
  private readonly specialSet: ReadonlySet<string>;
  private readonly specialLength: number;
  private readonly suspectLength: number;
  /**
   * The text between the first two elements, from the first one's closing brace to the second
   * one's first key and its colon (`},{"urn":` in a compact export): where the next element
   * most likely ends (`guessElement`). Learnt once per file.
   */
  private delimiter: string | undefined;
  private learnt = false;
  private wrongGuesses = 0;
  /** Where the last element read ended (moves with the window; -1: not in it). */
  private lastEnd = -1;

  /** `specials`: strings (all of one length) whose presence makes an element not `plain`. */
  constructor(
    readonly file: string,
    specials: readonly string[],
  ) {
    this.specials = specials;
    this.specialSet = new Set(specials);
    this.specialLength = specials[0]?.length ?? -1;
    if (specials.some((s) => s.length !== this.specialLength))
      throw new Error("ExportReader: the special strings must be of one length");
    this.suspectLength = ESCAPE_RATIO * Math.max(SIG_KEY.length, this.specialLength);
    try {
      this.fd = fs.openSync(file, "r");
    } catch (err) {
      throw new StreamBail(`cannot open: ${(err as Error).message}`);
    }
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  /**
   * More text after the window, keeping `text[keep..]` (`pos` moves with it). False at the
   * end of the file.
   */
  private fill(keep: number): boolean {
    if (this.eof) return false;
    if (this.mode === TOP && keep > this.skeletonFrom) {
      this.skeleton += this.text.slice(this.skeletonFrom, keep);
      this.skeletonFrom = keep;
    }
    let n: number;
    try {
      // At least as much as is kept: an element bigger than a chunk is scanned again after each
      // read, so the reads double with it (linear, not quadratic, in its size).
      const want = Math.max(CHUNK, this.text.length - keep);
      if (this.chunk.length < want) this.chunk = Buffer.allocUnsafe(want);
      n = fs.readSync(this.fd, this.chunk, 0, want, null);
    } catch (err) {
      throw new StreamBail(`cannot read: ${(err as Error).message}`);
    }
    let more = n === 0 ? this.decoder.end() : this.decoder.write(this.chunk.subarray(0, n));
    if (!this.started) {
      // A byte order mark is not part of the JSON (the whole-document path strips it too).
      if (more.charCodeAt(0) === 0xfeff) more = more.slice(1);
      this.started = more.length > 0;
    }
    this.text = this.text.slice(keep) + more;
    this.pos -= keep;
    this.skeletonFrom -= keep;
    this.lastEnd = this.lastEnd >= keep ? this.lastEnd - keep : -1;
    if (n === 0) this.eof = true;
    return n > 0 || more.length > 0;
  }

  /** The next resource element, or undefined at the end of the file. */
  next(): StreamedResource | undefined {
    for (;;) {
      if (this.mode === TOP) {
        if (this.done) return undefined;
        if (this.scanTop()) continue;
        this.done = true;
        return undefined;
      }
      if (this.pos >= this.text.length && !this.fill(this.pos))
        throw new StreamBail("the file ends inside deployment.resources");
      const c = this.text.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      if (c === CLOSE_ARRAY && this.mode !== NEXT) {
        // Back to the skeleton, where the array is written empty (the `]` is scanned there).
        this.mode = TOP;
        this.skeletonFrom = this.pos;
        continue;
      }
      if (c === COMMA && this.mode === AFTER) {
        this.pos++;
        this.mode = NEXT;
        continue;
      }
      if (c !== OPEN_OBJECT || this.mode === AFTER)
        throw new StreamBail(`unexpected character ${c} in deployment.resources`);
      const element = this.element();
      if (element) return element;
    }
  }

  /** The index after the string whose opening quote is at `at - 1`, or -1 past the window. */
  private stringEnd(at: number): number {
    const text = this.text;
    let i = at;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) return -1;
      let backslashes = 0;
      while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
      i = q + 1;
      if (backslashes % 2 === 0) return i;
    }
  }

  /**
   * Scan the skeleton: true when the resources array opened or after a refill (call again),
   * false at the end of the file.
   */
  private scanTop(): boolean {
    while (this.pos < this.text.length) {
      const text = this.text;
      const c = text.charCodeAt(this.pos);
      if (c === QUOTE) {
        const start = this.pos;
        const end = this.stringEnd(start + 1);
        if (end < 0) {
          if (!this.fill(start)) throw new StreamBail("the file ends inside a string");
          return true;
        }
        this.pos = end;
        if (this.depth <= 2) {
          this.lastString = text.slice(start + 1, end - 1);
          this.lastEscaped = this.lastString.includes("\\");
        }
        this.afterColon = false;
        continue;
      }
      this.pos++;
      if (isSpace(c)) continue;
      if (this.depth === 0 && (c !== OPEN_OBJECT || this.rootSeen))
        throw new StreamBail("not one JSON object");
      if (c === COLON) {
        if (this.depth <= 2) {
          // A key written with escapes could spell "resources": not decoded here.
          if (this.lastEscaped) throw new StreamBail("a key near the top is written with escapes");
          this.keys[this.depth] = this.lastString;
        }
        this.afterColon = true;
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const isResources =
          c === OPEN_ARRAY &&
          this.depth === 2 &&
          this.afterColon &&
          this.containers[1] === OPEN_OBJECT &&
          this.containers[2] === OPEN_OBJECT &&
          this.keys[1] === "deployment" &&
          this.keys[2] === "resources";
        this.depth++;
        this.rootSeen = true;
        if (this.depth <= 2) {
          this.containers[this.depth] = c;
          this.keys[this.depth] = undefined;
        }
        this.afterColon = false;
        if (isResources) {
          if (this.seenResources) throw new StreamBail("deployment.resources twice");
          this.seenResources = true;
          this.skeleton += text.slice(this.skeletonFrom, this.pos);
          this.mode = FIRST;
          return true;
        }
        continue;
      }
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) this.depth--;
      this.afterColon = false;
    }
    if (this.fill(this.pos)) return true;
    this.skeleton += this.text.slice(this.skeletonFrom);
    this.skeletonFrom = this.text.length;
    return false;
  }

  /**
   * The element starting at `pos` (a `{`), or undefined after a refill (it is scanned again).
   * Where it ends is guessed first (`guessElement`, no character loop); without a guess, or
   * when the guess was wrong, the element is scanned character by character (`scan`).
   */
  private element(): StreamedResource | undefined {
    const start = this.pos;
    if (this.mode === NEXT && !this.learnt) this.learn(start);
    if (this.delimiter !== undefined) {
      const guessed = this.guessElement(start);
      if (guessed) return guessed;
    }
    const scanned = this.scan(start);
    if (scanned < 0) {
      // The element runs past the window: read more, keeping it, and scan it again.
      if (!this.fill(start)) throw new StreamBail("the file ends inside a resource");
      return undefined;
    }
    const end = Math.floor(scanned / 2);
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(start, end));
    } catch (err) {
      throw new StreamBail(`an element is not valid JSON: ${(err as Error).message}`);
    }
    return this.read(value, end, scanned % 2 === 1);
  }

  private read(value: unknown, end: number, plain: boolean): StreamedResource {
    this.pos = end;
    this.lastEnd = end;
    this.mode = AFTER;
    return { value, plain };
  }

  /**
   * Where the element starting at `start` ends and whether its text is plain, as
   * `2 * end + (plain ? 1 : 0)`; -1 when it runs past the window. Strings are skipped with
   * `indexOf`; braces and brackets outside them are counted.
   */
  private scan(start: number): number {
    const text = this.text;
    const len = text.length;
    const sigLength = SIG_KEY.length;
    const specialLength = this.specialLength;
    let i = start;
    let depth = 0;
    let plain = true;
    // The next backslash at or after the string being looked at (found lazily, moving forward).
    let backslash = -1;
    while (i < len) {
      const c = text.charCodeAt(i++);
      if (c === QUOTE) {
        const from = i;
        const end = this.stringEnd(from);
        if (end < 0) break;
        i = end;
        if (plain) {
          const n = end - 1 - from;
          if (n === sigLength) plain = !text.startsWith(SIG_KEY, from);
          else if (n === specialLength) plain = !this.isSpecial(text, from);
          // A string written with escapes is shorter decoded: trusted only when it cannot
          // decode to the signature or a sentinel.
          if (plain && n > sigLength && n <= this.suspectLength) {
            if (backslash < from) backslash = text.indexOf("\\", from) >>> 0;
            plain = backslash >= end - 1;
          }
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return 2 * i + (plain ? 1 : 0);
    }
    return -1;
  }

  /**
   * The element starting at `start`, read without a character loop: the next `delimiter` is
   * taken for its end and `JSON.parse` of the text up to there decides. That text parses only
   * if it is exactly the element (a JSON value ends where parsing it from its start ends: a
   * shorter text is unfinished, a longer one has more after the value), so a delimiter inside
   * the element (in a string, or between nested objects) costs only the attempt. Undefined
   * without a delimiter ahead in the window or when the guess was wrong.
   */
  private guessElement(start: number): StreamedResource | undefined {
    const at = this.text.indexOf(this.delimiter!, start + 1);
    if (at < 0) return undefined;
    const end = at + 1;
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(start, end));
    } catch {
      if (++this.wrongGuesses >= WRONG_GUESSES) this.delimiter = undefined;
      return undefined;
    }
    let plain: boolean;
    try {
      plain = !this.holdsSpecial(value);
    } catch (err) {
      // Nested deeper than the stack allows: judged on the text, as a scanned element is.
      if (!(err instanceof RangeError)) throw err;
      plain = this.scan(start) % 2 === 1;
    }
    return this.read(value, end, plain);
  }

  /** Whether a string anywhere in `v` (key or value) is the signature key or a special. */
  private holdsSpecial(v: unknown): boolean {
    if (typeof v === "string") return this.isSpecialString(v);
    if (typeof v !== "object" || v === null) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (this.holdsSpecial(v[i])) return true;
      return false;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) if (this.isSpecialString(k) || this.holdsSpecial(o[k])) return true;
    return false;
  }

  private isSpecialString(s: string): boolean {
    // (The length first: most strings are of neither length.)
    if (s.length === SIG_KEY.length && s === SIG_KEY) return true;
    return s.length === this.specialLength && this.specialSet.has(s);
  }

  /**
   * Learn `delimiter` from the text between the last element (ending at `lastEnd`) and this
   * one (at `start`), up to this one's first key and its colon; tried once per file. Without it
   * every element is scanned character by character, as before.
   */
  private learn(start: number): void {
    this.learnt = true;
    const text = this.text;
    if (this.lastEnd < 1 || text.charCodeAt(this.lastEnd - 1) !== CLOSE_OBJECT) return;
    let i = start + 1;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== QUOTE) return;
    const keyEnd = this.stringEnd(i + 1);
    if (keyEnd < 0) return;
    i = keyEnd;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== COLON) return;
    this.delimiter = text.slice(this.lastEnd - 1, i + 1);
  }

  private isSpecial(text: string, from: number): boolean {
    for (const s of this.specials) if (text.startsWith(s, from)) return true;
    return false;
  }

  /**
   * The document without its resources (`deployment.resources` is `[]`), as `JSON.parse` reads
   * the rest of the file. Call after `next()` returned undefined.
   */
  document(): Record<string, unknown> {
    while (this.next() !== undefined) {
      // the rest of the file (the caller normally read every resource)
    }
    if (!this.seenResources) throw new StreamBail("no deployment.resources array");
    let doc: unknown;
    try {
      doc = JSON.parse(this.skeleton);
    } catch (err) {
      throw new StreamBail(`not valid JSON around the resources: ${(err as Error).message}`);
    }
    const resources = (doc as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
    // Another `resources` or `deployment` key later in the file would win in JSON.parse.
    if (!Array.isArray(resources) || resources.length !== 0)
      throw new StreamBail("deployment.resources is not the array read");
    return doc as Record<string, unknown>;
  }
}

/**
 * `evaluateStackExport` of the export in `file`, read one resource at a time (`ExportReader`):
 * the same evaluation, in the same order, for every file the reader accepts. Throws
 * `StreamBail` when the file is unreadable, not valid JSON, not an export the reader can vouch
 * for, malformed (`assertStackExport` would refuse it) or empty (`assertResourcesToEvaluate`),
 * or has a provider after its use: the caller then reads it as a whole document, which says
 * what is wrong as before. `PackConfigError` and `PolicyCrashError` propagate.
 */
export async function evaluateExportFile(
  file: string,
  options: Omit<EvaluateOptions, "checked" | "file"> = {},
): Promise<Evaluation> {
  const reader = new ExportReader(file, UNKNOWN_SENTINEL_STRINGS);
  try {
    const evaluator = new StackEvaluator({ ...options, file }, true);
    for (let e = reader.next(); e !== undefined; e = reader.next()) {
      if (!isWellFormedResource(e.value)) throw new StreamBail(`resource #${evaluator.added} is malformed`);
      let added;
      try {
        added = evaluator.add(e.value, e.plain);
      } catch (err) {
        if (err instanceof ProviderOrderError) throw new StreamBail(err.message);
        throw err;
      }
      if (added) await added;
    }
    const doc = reader.document();
    try {
      assertStackExport(doc, file);
    } catch {
      throw new StreamBail("not a stack export around the resources");
    }
    if (!evaluator.hasResourcesToEvaluate) throw new StreamBail("no resources to evaluate");
    return await evaluator.finish();
  } finally {
    reader.close();
  }
}
