/**
 * Command-line flags for every script, read with Node's `util.parseArgs` and checked the same
 * way everywhere: every problem at once (unknown flag with a did-you-mean, missing or
 * unexpected value, a value outside what is allowed, a required flag left out), each naming
 * the flag, the value and what is allowed. The caller prints them with its usage and exits 2.
 */
import { parseArgs } from "util";
import { closest } from "../../controls/closest";

export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  /** Required string flag: its absence is a problem. */
  required?: boolean;
  /** What a string value must look like: `what` it is and how to say what is `allowed`. */
  pattern?: { test: RegExp; what: string; allowed: string };
  /** A string value one of these. */
  oneOf?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean : string;
};

export interface CommandLine<S extends FlagSpecs> {
  values: FlagValues<S>;
  positionals: string[];
  /** `--help` / `-h` was given: print the usage, exit 0 (problems are then irrelevant). */
  help: boolean;
  /** Every problem with the flags, in the order given, then the missing required flags. */
  problems: string[];
}

export interface CommandLineOptions {
  /** Positional arguments are allowed (otherwise each is a problem). */
  positionals?: boolean;
}

/** The stack-name rule every script shares (a file name part: `Pulumi.<stack>.yaml`). */
export const STACK_NAME = {
  test: /^[A-Za-z0-9_.-]+$/,
  what: "a stack name",
  allowed: "letters, digits, '.', '_' or '-'",
} as const;

/**
 * Reads `argv` against `specs` (`--help`/`-h` is always known). A string flag directly followed
 * by another flag (`--stack --json`) has no value: reported as such, and the next flag still
 * counts, as a person reading the line would expect (`util.parseArgs` would take `--json` as
 * the stack name).
 */
export function parseCommandLine<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
  options: CommandLineOptions = {},
): CommandLine<S> {
  const names = Object.keys(specs);
  const isStringFlag = (arg: string) =>
    arg.startsWith("--") && !arg.includes("=") && specs[arg.slice(2)]?.type === "string";
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      args.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    // An empty inline value is reported below as "needs a value", like a missing one.
    args.push(isStringFlag(arg) && (next === undefined || next.startsWith("-")) ? `${arg}=` : arg);
  }
  const { tokens } = parseArgs({
    args,
    options: {
      ...Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [
          name,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
        ]),
      ),
      help: { type: "boolean", short: "h" },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  const seen = new Set<string>();
  const problems: string[] = [];
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      if (options.positionals) positionals.push(token.value);
      else problems.push(`unexpected argument ${JSON.stringify(token.value)}`);
      continue;
    }
    const { name, rawName } = token;
    if (name === "help") {
      help = true;
      continue;
    }
    const spec = specs[name] as FlagSpec | undefined;
    if (!spec) {
      const meant = closest(name, names);
      problems.push(`unknown option ${rawName}${meant ? ` (did you mean --${meant}?)` : ""}`);
      continue;
    }
    const flag = `--${name}`;
    if (seen.has(name)) {
      const given = [values[name], token.value].filter((v) => typeof v === "string" && v !== "");
      problems.push(
        `${flag} given twice${given.length === 2 ? ` (${given.map((v) => JSON.stringify(v)).join(" and ")})` : ""}: give it once`,
      );
      continue;
    }
    seen.add(name);
    if (spec.type === "boolean") {
      if (token.value !== undefined)
        problems.push(`${flag} takes no value (got ${JSON.stringify(token.value)})`);
      else values[name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === "") {
      problems.push(`${flag} needs a value`);
    } else if (spec.pattern && !spec.pattern.test.test(value)) {
      problems.push(`${flag} ${JSON.stringify(value)}: not ${spec.pattern.what} (${spec.pattern.allowed})`);
    } else if (spec.oneOf && !spec.oneOf.includes(value)) {
      problems.push(`${flag} ${JSON.stringify(value)}: allowed: ${spec.oneOf.join(", ")}`);
    } else {
      values[name] = value;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !seen.has(name)) problems.push(`--${name} is required`);
  }
  return { values: values as FlagValues<S>, positionals, help, problems };
}

/**
 * For a command that takes no arguments (the doc generators): `--help` prints the usage and
 * exits 0; any argument is refused with exit 2, naming it, before the command writes anything
 * (an ignored `--check` or a mistyped flag would otherwise rewrite the file and report success).
 */
export function acceptNoArguments(command: string, usage: string, argv: readonly string[]): void {
  const { help, problems } = parseCommandLine(argv, {});
  if (help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (problems.length > 0) {
    process.stderr.write(`${command}: ${problems.join("; ")} (it takes no arguments)\n${usage}\n`);
    process.exit(2);
  }
}
