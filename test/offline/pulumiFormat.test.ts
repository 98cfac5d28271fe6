/**
 * policy/common/pulumiFormat.ts pins Pulumi's formats once. These tests hold it to the Pulumi
 * sources it follows (cited in the module): the secret signature of the installed SDK, and the
 * CLI's reading of Pulumi.<stack>.yaml (value.go: scalars are kept as the text written;
 * project.go ValidateConfigValue: strconv.Atoi for integers, exactly true/false for booleans,
 * JSON item types inside arrays). The offline plan and the program's loadPlatformConfig both
 * go through it, so they cannot disagree.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig } from "../../lib/offline/stackConfig";
import { execFileSync } from "child_process";
import { unwrapSecret } from "../../policy/lib/props";
import {
  configValueHasType,
  countedResources,
  STACK_TYPE,
  isSecretEnvelope,
  readConfigText,
  SECRET_SIG,
  secretEnvelope,
  SIG_KEY,
} from "../../policy/common/pulumiFormat";

const P = "secure-azure-platform";

describe("the secret marker", () => {
  it("is the installed SDK's, and every user reads it from this module", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
    expect(SIG_KEY).toBe(rpc.specialSigKey);
    expect(SECRET_SIG).toBe(rpc.specialSecretSig);
    expect(isSecretEnvelope(secretEnvelope("x"))).toBe(true);
    expect(unwrapSecret(secretEnvelope("x"))).toBe("x");
  });
});

describe("one declaration of the export format and the secret marker", () => {
  it("no other module spells the signatures or the root stack type", () => {
    // Code lines only: comments may quote the format.
    const hits = execFileSync(
      "git",
      ["grep", "-n", "-E", `${SIG_KEY}|${SECRET_SIG}|"pulumi:pulumi:Stack"`, "--", "*.ts"],
      {
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter((line) => line && !/^[^:]+:\d+:\s*(\*|\/\/|\/\*)/.test(line))
      .filter((line) => !line.startsWith("policy/common/pulumiFormat.ts:") && !line.startsWith("test/"));
    expect(hits).toEqual([]);
  });

  it("the analyzer reads exports without loading the plan machinery (Pulumi mocks, the program runner)", () => {
    // Loaded as every npm script loads it (the launcher's compiled build, scripts/launch.js): the
    // same modules under their .ts names as ts-node's transpile-only hook, without ts-node and the
    // TypeScript compiler (2.6 s of CPU a run, 0.1 s this way).
    const loaded = execFileSync(
      process.execPath,
      [
        "-e",
        'require("./scripts/launch.js").registerCompiled(); require("./lib/analyzer/evaluate"); ' +
          "console.log(JSON.stringify(Object.keys(require.cache)))",
      ],
      { encoding: "utf8", cwd: path.join(__dirname, "../..") },
    );
    const modules = (JSON.parse(loaded) as string[]).map((f) =>
      path.relative(path.join(__dirname, "../.."), f),
    );
    expect(modules.filter((f) => f.startsWith("lib/offline/"))).toEqual([]);
    expect(modules.some((f) => f.startsWith("policy/common/pulumiFormat"))).toBe(true);
  });
});

describe("countedResources: the one resource count of the plan and the analyzer", () => {
  it("counts Azure resources and components, not the stack, providers or pending deletes", () => {
    const r = (type: string, extra: Record<string, unknown> = {}) => ({ type, ...extra });
    const counted = countedResources([
      r(STACK_TYPE),
      r("pulumi:providers:azure-native"),
      r("secure-azure-platform:data:KeyVault"),
      r("azure-native:keyvault:Vault"),
      r("azure-native:keyvault:Vault", { delete: true }),
    ]);
    expect(counted.map((x) => x.type)).toEqual([
      "secure-azure-platform:data:KeyVault",
      "azure-native:keyvault:Vault",
    ]);
    expect(countedResources(null)).toEqual([]);
  });
});

describe("config types, as the CLI checks them (project.go ValidateConfigValue)", () => {
  it.each<[string, unknown, boolean]>([
    ["integer", "30", true],
    ["integer", "+30", true],
    ["integer", "-1", true],
    ["integer", " 30", false],
    ["integer", "30.0", false],
    ["integer", "1e3", false],
    ["integer", "0x10", false],
    ["boolean", "true", true],
    ["boolean", "false", true],
    ["boolean", "True", false],
    ["boolean", "yes", false],
    ["string", "1.50", true],
    ["string", ["a"], false],
  ])("%s %j: %s", (type, value, ok) => {
    expect(configValueHasType({ type }, value)).toBe(ok);
  });

  it("checks array items by their JSON type: a whole number or integer text, a string only as a string", () => {
    const ints = { type: "array", items: { type: "integer" } };
    expect(configValueHasType(ints, [30, "31"])).toBe(true);
    expect(configValueHasType(ints, [1.5])).toBe(false);
    const strings = { type: "array", items: { type: "string" } };
    expect(configValueHasType(strings, ["a", "b"])).toBe(true);
    expect(configValueHasType(strings, [7])).toBe(false);
    expect(configValueHasType({ type: "array" }, [])).toBe(false);
  });

  it("reads the program's text the same way for the plan and loadPlatformConfig", () => {
    expect(readConfigText("+5", "integer")).toBe(5);
    expect(readConfigText("5.0", "integer")).toBe("5.0");
    expect(readConfigText("true", "boolean")).toBe(true);
    expect(readConfigText("True", "boolean")).toBe("True");
    expect(readConfigText('["a"]', "array")).toEqual(["a"]);
    expect(readConfigText("007", "string")).toBe("007");
  });
});

describe("a stack file's scalars reach the program as written (value.go unmarshalValue)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "format-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (body: string) => {
    const file = path.join(dir, "Pulumi.fmt.yaml");
    fs.writeFileSync(file, `config:\n  azure-native:location: westeurope\n${body}`);
    return () => readStackConfig("fmt", { stackFile: file });
  };

  it("keeps the text a YAML parser would change (007, 1.50, +30)", () => {
    const cfg = read(`  ${P}:namePrefix: 007\n  ${P}:owner: 1.50\n  ${P}:backupRetentionDays: +30\n`)();
    expect(cfg.config[`${P}:namePrefix`]).toBe("007");
    expect(cfg.config[`${P}:owner`]).toBe("1.50");
    expect(cfg.config[`${P}:backupRetentionDays`]).toBe("+30");
    expect(cfg.projectSettings.backupRetentionDays).toBe(30);
  });

  it("refuses what the CLI refuses although YAML reads it as a number or boolean (30.0, True)", () => {
    expect(read(`  ${P}:backupRetentionDays: 30.0\n  ${P}:zoneRedundant: True\n`)).toThrow(
      /backupRetentionDays = "30\.0": must be of type 'integer'[\s\S]*zoneRedundant = "True": must be of type 'boolean'/,
    );
  });
});
