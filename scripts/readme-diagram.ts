/**
 * `npm run docs:diagram` — regenerates the prod architecture diagram in README.md (between the
 * `diagram:prod` markers) from the offline plan; test/evidence/diagram.test.ts fails when the
 * README copy is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { renderDiagram } from "../lib/evidence/diagram";
import { planStack } from "../lib/offline/plan";
import { acceptNoArguments } from "../lib/cli/args";

export const README = path.resolve(__dirname, "..", "README.md");
const START = "<!-- diagram:prod:start -->";
const END = "<!-- diagram:prod:end -->";

/** The README with `diagram` (a fenced Mermaid block) between the markers. */
export function withDiagram(readme: string, diagram: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md must contain ${START} ... ${END}`);
  return `${readme.slice(0, start + START.length)}\n${diagram.trimEnd()}\n${readme.slice(end)}`;
}

/** The diagram block the README should hold: the prod stack's. */
export async function prodDiagram(): Promise<string> {
  return renderDiagram({ plan: await planStack("prod") });
}

if (require.main === module) {
  acceptNoArguments(
    "docs:diagram",
    "usage: npm run docs:diagram\n  rewrites the prod architecture diagram in README.md from the offline plan",
    process.argv.slice(2),
  );
  prodDiagram()
    .then((diagram) => {
      fs.writeFileSync(README, withDiagram(fs.readFileSync(README, "utf8"), diagram));
      console.log(`Wrote the prod diagram to ${path.relative(process.cwd(), README)}.`);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    });
}
