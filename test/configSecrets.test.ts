/**
 * A secret config key that the program reads as plain data is refused (SEC-1).
 * `pulumi config set --secret --path 'apps[0].env.X' v` makes the whole `apps` key secret; the
 * program used to read it with the rest and pass the value as a plain container env var (and
 * plain state). Under mocks, `pulumi.runtime.setAllConfig(config, secretKeys)` marks keys
 * secret the way the language host does for a real run (PULUMI_CONFIG_SECRET_KEYS).
 *
 * Fails on the old code: `loadPlatformConfig` returned the secret `apps` (and `owner`) as plain
 * settings, with no error.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  configKeyIsSecret,
  loadPlatformConfig,
  projectDeclarations,
  PROJECT,
  type PlatformConfig,
} from "../config";
import { readStackConfig } from "../lib/offline/stackConfig";
import { runExpectingError, runProgram } from "./helpers/pulumi";

const APPS = `${PROJECT}:apps`;
// Plain-looking on purpose: the secret-detection rules pass it, only the secret marking tells.
const SECRET_VALUE = "upstream-7421";

/** The dev stack's configuration with one app env var set to the secret value. */
function devConfigWithSecretEnv(): Record<string, unknown> {
  const { config } = readStackConfig("dev");
  const raw = config[APPS];
  const apps = JSON.parse(typeof raw === "string" ? raw : JSON.stringify(raw)) as {
    env?: Record<string, string>;
  }[];
  apps[0].env = { ...(apps[0].env ?? {}), UPSTREAM_ID: SECRET_VALUE };
  return { ...config, [APPS]: JSON.stringify(apps) };
}

async function loaded(secretKeys: string[]): Promise<{ error?: Error; config?: PlatformConfig }> {
  let config: PlatformConfig | undefined;
  try {
    await runProgram(
      () => {
        config = loadPlatformConfig();
      },
      { config: devConfigWithSecretEnv(), secretKeys },
    );
  } catch (err) {
    return { error: err as Error };
  }
  return { config };
}

describe("secret config keys the program reads as plain data (SEC-1)", () => {
  it("the installed SDK exports isConfigSecret at runtime (internal API; see configKeyIsSecret)", () => {
    // If an SDK upgrade drops it, configKeyIsSecret falls back to PULUMI_CONFIG_SECRET_KEYS:
    // this test says so, so that the fallback is checked against the new SDK.
    expect(typeof (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret).toBe(
      "function",
    );
  });

  it("loads the same configuration when apps is not marked secret (the case below differs only in that)", async () => {
    const { error, config } = await loaded([]);
    expect(error).toBeUndefined();
    expect(config?.apps[0].env.UPSTREAM_ID).toBe(SECRET_VALUE);
  });

  it("refuses apps marked secret with a ConfigError naming the key, never showing the value", async () => {
    const { error } = await loaded([APPS]);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(pulumi.RunError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([{ key: APPS, value: "[secret]", message: expect.any(String) }]);
    expect(problems[0].message).toMatch(/^is a secret \(pulumi config set --secret.*reads it as plain data/);
    expect(problems[0].message).toMatch(/Key Vault and list it under the app's secrets/);
    expect(error?.message).not.toContain(SECRET_VALUE);
  });

  it("refuses every secret setting at once (all are read as plain data)", async () => {
    const { error } = await loaded([APPS, `${PROJECT}:owner`, `${PROJECT}:costCenter`]);
    expect((error as ConfigError).problems.map((p) => p.key).sort()).toEqual(
      [APPS, `${PROJECT}:costCenter`, `${PROJECT}:owner`].sort(),
    );
  });

  it("no setting of Pulumi.yaml is declared secret: every one is read as plain data", () => {
    expect(Object.entries(projectDeclarations()).filter(([, d]) => d.secret)).toEqual([]);
  });

  it("ignores secret keys of other namespaces (a provider's credentials are the provider's)", async () => {
    const { error } = await runExpectingError(
      () => {
        expect(configKeyIsSecret("azure-native:clientSecret")).toBe(true);
        loadPlatformConfig();
        throw new Error("loaded");
      },
      {
        config: { ...devConfigWithSecretEnv(), "azure-native:clientSecret": "x" },
        secretKeys: ["azure-native:clientSecret"],
      },
    );
    expect(error.message).toBe("loaded");
  });
});

describe("a mistyped key set with --secret: named, its value never shown", () => {
  // Fails on the old code: both problems showed the decrypted value ("x-secret-4711").
  const VALUE = "x-secret-4711";
  it.each([
    ["an unknown setting of the project", `${PROJECT}:alertEmial`],
    ["a namespace one typo away from the project's", `${PROJECT.replace("platform", "platfrom")}:alertEmail`],
  ])("%s", async (_what, key) => {
    const { error } = await runExpectingError(() => loadPlatformConfig(), {
      config: { ...readStackConfig("dev").config, [key]: VALUE },
      secretKeys: [key],
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual({
      key,
      value: "[secret]",
      message: expect.any(String),
    });
    expect(error.message).not.toContain(VALUE);
  });
});

describe("configKeyIsSecret without the SDK's internal isConfigSecret (the documented fallback)", () => {
  // The fallback had no test: it reads the list the language host passes, in both key forms.
  function withoutIsConfigSecret(env: string | undefined, key: string): boolean {
    const saved = process.env.PULUMI_CONFIG_SECRET_KEYS;
    if (env === undefined) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
    else process.env.PULUMI_CONFIG_SECRET_KEYS = env;
    try {
      let result = false;
      jest.isolateModules(() => {
        jest.doMock("@pulumi/pulumi", () => {
          const real = jest.requireActual<typeof pulumi>("@pulumi/pulumi");
          return { ...real, runtime: { ...real.runtime, isConfigSecret: undefined } };
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        result = (require("../config") as typeof import("../config")).configKeyIsSecret(key);
      });
      return result;
    } finally {
      jest.dontMock("@pulumi/pulumi");
      if (saved === undefined) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
      else process.env.PULUMI_CONFIG_SECRET_KEYS = saved;
    }
  }

  it("reads PULUMI_CONFIG_SECRET_KEYS as the language host writes it (<namespace>:<name>)", () => {
    expect(withoutIsConfigSecret(JSON.stringify([APPS]), APPS)).toBe(true);
    expect(withoutIsConfigSecret(JSON.stringify([`${PROJECT}:owner`]), APPS)).toBe(false);
  });

  it("also matches the legacy <namespace>:config:<name> form", () => {
    expect(withoutIsConfigSecret(JSON.stringify([`${PROJECT}:config:apps`]), APPS)).toBe(true);
  });

  it("unset or malformed: not known secret, never a crash", () => {
    expect(withoutIsConfigSecret(undefined, APPS)).toBe(false);
    expect(withoutIsConfigSecret("not json", APPS)).toBe(false);
    expect(withoutIsConfigSecret('{"a":1}', APPS)).toBe(false);
  });
});
