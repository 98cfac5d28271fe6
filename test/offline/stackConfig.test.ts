/**
 * Stack configuration read as the Pulumi CLI does: Pulumi.yaml defaults, declared types,
 * namespaces, `secure:` values kept secret.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, projectDeclarations } from "../../config";
import { readStackConfig, SECRET_DISPLAY, SECRET_PLACEHOLDER_PREFIX } from "../../lib/offline/stackConfig";

const P = "secure-azure-platform";
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackcfg-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stackFile(name: string, body: string): string {
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, body);
  return file;
}

function problemsOf(fn: () => unknown): { key: string; message: string; value: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("the dev stack", () => {
  const cfg = readStackConfig("dev");

  it("has every Pulumi.yaml default the stack leaves out", () => {
    expect(cfg.config[`${P}:backupRetentionDays`]).toBe("35");
    expect(cfg.config[`${P}:namePrefix`]).toBe("sap");
    expect(cfg.projectSettings.backupRetentionDays).toBe(35);
    expect(cfg.projectSettings.zoneRedundant).toBe(false);
    expect(cfg.projectSettings.services).toEqual(["postgres", "storage", "redis"]);
  });

  it("keeps provider keys under their namespace", () => {
    expect(cfg.config["azure-native:location"]).toBe("westeurope");
    expect(cfg.projectSettings).not.toHaveProperty("location");
  });

  it("passes every declared setting that has a value", () => {
    for (const [key, decl] of Object.entries(projectDeclarations())) {
      if (decl.default !== undefined) expect(cfg.config).toHaveProperty([`${P}:${key}`]);
    }
  });

  it("keeps stack values over defaults, typed as declared", () => {
    expect(cfg.projectSettings.environment).toBe("dev");
    expect(cfg.projectSettings.postgresStorageSizeGb).toBe(32);
    expect(Array.isArray(cfg.projectSettings.apps)).toBe(true);
  });
});

describe("secure: values", () => {
  const body = `config:
  azure-native:location: westeurope
  ${P}:environment: dev
  ${P}:alertEmail:
    secure: v1:AAAABBBBCCCC
  ${P}:apps:
    - name: web
      env:
        TOKEN:
          secure: v1:DDDDEEEE
`;

  it("are secret keys with a deterministic placeholder, never the ciphertext", () => {
    const file = stackFile("secure", body);
    const a = readStackConfig("secure", { stackFile: file });
    const b = readStackConfig("secure", { stackFile: file });
    expect(a.secretKeys).toEqual(expect.arrayContaining([`${P}:alertEmail`, `${P}:apps`]));
    const email = a.config[`${P}:alertEmail`] as string;
    expect(email.startsWith(SECRET_PLACEHOLDER_PREFIX)).toBe(true);
    expect(email).toBe(b.config[`${P}:alertEmail`]);
    expect(JSON.stringify(a.config)).not.toContain("v1:");
    // Nested secure values make the whole setting secret (the CLI passes it as one value).
    const apps = a.config[`${P}:apps`] as { env: { TOKEN: string } }[];
    expect(apps[0].env.TOKEN.startsWith(SECRET_PLACEHOLDER_PREFIX)).toBe(true);
  });

  it("display as [secret]", () => {
    const cfg = readStackConfig("secure", { stackFile: stackFile("secure", body) });
    const shown = cfg.display();
    expect(shown[`${P}:alertEmail`]).toBe(SECRET_DISPLAY);
    expect(shown[`${P}:apps`]).toBe(SECRET_DISPLAY);
    expect(shown[`${P}:environment`]).toBe("dev");
    expect(JSON.stringify(shown)).not.toContain(SECRET_PLACEHOLDER_PREFIX);
  });
});

describe("types are checked against Pulumi.yaml", () => {
  it.each([
    ["backupRetentionDays", "thirty", "integer"],
    ["backupRetentionDays", "30.5", "integer"],
    ["customerManagedKeys", "yes", "boolean"],
    ["services", "postgres", "array<string>"],
    ["apps", "web", "array<object>"],
    ["developerGroupIds", "[1, 2]", "array<string>"],
  ])("%s: %s is not %s", (key, value, type) => {
    const file = stackFile(
      "typed",
      `config:\n  azure-native:location: westeurope\n  ${P}:${key}: ${value}\n`,
    );
    const problems = problemsOf(() => readStackConfig("typed", { stackFile: file }));
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe(`${P}:${key}`);
    expect(problems[0].message).toContain(`must be of type '${type}'`);
  });

  it("accepts scalars written as text, as the CLI stores them", () => {
    const file = stackFile(
      "text",
      `config:\n  ${P}:backupRetentionDays: "30"\n  ${P}:zoneRedundant: "true"\n  ${P}:postgresVersion: 17\n`,
    );
    const cfg = readStackConfig("text", { stackFile: file });
    expect(cfg.projectSettings.backupRetentionDays).toBe(30);
    expect(cfg.projectSettings.zoneRedundant).toBe(true);
    expect(cfg.projectSettings.postgresVersion).toBe("17");
    expect(cfg.config[`${P}:backupRetentionDays`]).toBe("30");
  });

  it("reports every bad key in one error", () => {
    const file = stackFile(
      "many",
      `config:\n  ${P}:backupRetentionDays: x\n  ${P}:deletionLocks: 2\n  environment: dev\n`,
    );
    const keys = problemsOf(() => readStackConfig("many", { stackFile: file })).map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([`${P}:backupRetentionDays`, `${P}:deletionLocks`, "environment"]),
    );
  });

  it("refuses un-namespaced keys in a stack file, naming the namespaced form", () => {
    const file = stackFile("bare", `config:\n  environment: dev\n`);
    const [problem] = problemsOf(() => readStackConfig("bare", { stackFile: file }));
    expect(problem.key).toBe("environment");
    expect(problem.message).toContain(`${P}:environment`);
  });

  it("type-checks overrides too, and an undefined override removes the key", () => {
    expect(
      problemsOf(() => readStackConfig("dev", { configOverrides: { zoneRedundant: "no" } }))[0].key,
    ).toBe(`${P}:zoneRedundant`);
    const cfg = readStackConfig("dev", { configOverrides: { environment: undefined } });
    expect(cfg.config).not.toHaveProperty([`${P}:environment`]);
  });
});

describe("a project file", () => {
  it("reads un-namespaced declarations as the project's, provider values as defaults, secret: true", () => {
    const projectFile = path.join(dir, "Pulumi.yaml");
    fs.writeFileSync(
      projectFile,
      `name: demo
runtime: nodejs
config:
  size:
    type: integer
    default: 3
  demo:flag:
    type: boolean
    default: false
  azure-native:location:
    value: northeurope
  token:
    type: string
    secret: true
`,
    );
    fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), "config:\n  demo:token:\n    secure: v1:XYZ\n");
    const cfg = readStackConfig("a", { projectFile });
    expect(cfg.project).toBe("demo");
    expect(cfg.config).toMatchObject({
      "demo:size": "3",
      "demo:flag": "false",
      "azure-native:location": "northeurope",
    });
    expect(cfg.secretKeys).toEqual(["demo:token"]);

    fs.writeFileSync(path.join(dir, "Pulumi.b.yaml"), "config:\n  demo:token: hunter2-token\n");
    const [problem] = problemsOf(() => readStackConfig("b", { projectFile }));
    expect(problem.key).toBe("demo:token");
    expect(problem.message).toContain("secret");
    expect(JSON.stringify(problem)).not.toContain("hunter2");
  });

  it("a missing stack file is a ConfigError naming the stack", () => {
    const [problem] = problemsOf(() => readStackConfig("nosuchstack"));
    expect(problem.key).toBe("stack nosuchstack");
  });
});
