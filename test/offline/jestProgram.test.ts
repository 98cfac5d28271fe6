/**
 * lib/offline/jestProgram.ts: a program loaded under jest gets fresh modules of its own and the
 * test file's instances of the installed packages (issue 17: a plan no longer loads the SDK and
 * the providers again), and the registrations that share them end with the load.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { requireProgramUnderJest } from "../../lib/offline/jestProgram";

const main = path.join(__dirname, "fixtures", "jestProgram", "program.ts");
interface Fixture {
  sdk: typeof pulumi;
  zod: typeof z;
  own: { at: symbol };
}

describe("requireProgramUnderJest", () => {
  it("shares the installed packages the test file loaded", () => {
    const program = requireProgramUnderJest(main) as Fixture;
    expect(program.sdk).toBe(pulumi);
    expect(program.zod).toBe(z);
  });

  it("evaluates the program's own modules again on every load", () => {
    const first = requireProgramUnderJest(main) as Fixture;
    const second = requireProgramUnderJest(main) as Fixture;
    expect(second.own).not.toBe(first.own);
    expect(second.own.at).not.toBe(first.own.at);
  });

  it("leaves no module registration behind: an isolated registry loads its own SDK again", () => {
    requireProgramUnderJest(main);
    let isolated: unknown;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      isolated = require("@pulumi/pulumi");
    });
    expect(isolated).not.toBe(pulumi);
  });
});
