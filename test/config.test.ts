/**
 * Bad stack configuration: each class of bad input gives one clear ConfigError naming the
 * offending key, and nothing is registered. Checked through the offline plan, both where
 * the plan rejects the config up front and where the program itself (index.ts) must refuse
 * it before its first resource.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, parseArgs } from "../components/common/schema";
import { workloadProfilesSchema } from "../components/containerAppsEnvironment.schema";
import { projectDeclarations, validatePlatformConfig, type ConfigProblem } from "../config";
import { isConfigError, planStack } from "../lib/offline/plan";
import type { PlannedResource } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stackConfig";

const P = "secure-azure-platform";

interface Case {
  what: string;
  stack: "dev" | "prod";
  overrides: Record<string, unknown>;
  /** The key the error must name. */
  key: string;
  /** A word of the explanation that must be there. */
  says: RegExp;
}

const devApps = (): Record<string, unknown>[] => [
  {
    name: "web",
    image: "mcr.microsoft.com/k8se/quickstart:latest",
    targetPort: 80,
    probePath: "/",
    ingress: "frontend",
    uses: ["keyvault"],
  },
];

/** A valid per-stack WAF custom rule. */
const wafRule = (name: string, priority: number) => ({
  name,
  priority,
  action: "Block",
  matchVariable: "RequestUri",
  operator: "Contains",
  matchValues: ["/admin"],
});

const cases: Case[] = [
  {
    what: "a non-EU region",
    stack: "dev",
    overrides: { "azure-native:location": "eastus" },
    key: "azure-native:location",
    says: /allowedLocations/,
  },
  {
    what: "backup retention below the floor",
    stack: "dev",
    overrides: { backupRetentionDays: 7 },
    key: `${P}:backupRetentionDays`,
    says: /from 30 to 35/,
  },
  {
    what: "an unknown ingress mode",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], ingress: "public" }] },
    key: `${P}:apps[0].ingress`,
    says: /frontend, internal/,
  },
  {
    // Issue 12 item 5: the sample prod app never became ready (quickstart listens on 80).
    what: "the quickstart sample image on a port it does not listen on",
    stack: "prod",
    overrides: { apps: [{ ...devApps()[0], targetPort: 8080 }] },
    key: `${P}:apps[0].targetPort`,
    says: /mcr\.microsoft\.com\/k8se\/quickstart listens on port 80/,
  },
  {
    what: "the quickstart sample image probed on a path it does not answer",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], probePath: "/healthz" }] },
    key: `${P}:apps[0].probePath`,
    says: /answers only \//,
  },
  {
    what: "an app name Azure refuses",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], name: "Web_App" }] },
    key: `${P}:apps[0].name`,
    says: /2-32 lowercase letters/,
  },
  {
    what: "a missing required value",
    stack: "dev",
    overrides: { environment: undefined },
    key: `${P}:environment`,
    says: /dev or prod/,
  },
  {
    what: "log retention below a year",
    stack: "dev",
    overrides: { logRetentionDays: 30 },
    key: `${P}:logRetentionDays`,
    // The Logging component's field and message, on the config key.
    says: /logRetentionDays = 30: must be a whole number from 365 to 730 \(LOG-1 needs >= 365/,
  },
  {
    what: "a secret-looking plain env var",
    stack: "dev",
    overrides: {
      apps: [{ ...devApps()[0], env: { DATABASE_URL: "postgres://admin:hunter2@db.example.com/app" } }],
    },
    key: `${P}:apps[0].env.DATABASE_URL`,
    // Issue 5: the error names the app and the variable (the key alone has the app's index).
    says: /apps\[0\]\.env\.DATABASE_URL = .*: app "web": plain env var DATABASE_URL refused .*Key Vault/,
  },
  {
    what: "prod without zone redundancy",
    stack: "prod",
    overrides: { zoneRedundant: false },
    key: `${P}:zoneRedundant`,
    says: /AVL-1/,
  },
  // Values the config schema used to accept and a component then refused with a stack trace.
  {
    what: "a standard Key Vault in prod",
    stack: "prod",
    overrides: { keyVaultSku: "standard" },
    key: `${P}:keyVaultSku`,
    says: /prod requires premium/,
  },
  {
    what: "an app cpu off the Consumption steps",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], cpu: 0.3 }] },
    key: `${P}:apps[0].cpu`,
    says: /0\.25\.\.4 vCPU in steps of 0\.25/,
  },
  {
    what: "a database listed twice",
    stack: "dev",
    overrides: { postgresDatabases: ["app", "app"] },
    key: `${P}:postgresDatabases[1]`,
    says: /duplicates database "app"/,
  },
  // The HumanAccess and Network components' rules, through the config keys that feed them.
  {
    what: "a human-access group listed twice",
    stack: "dev",
    overrides: {
      developerGroupIds: ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"],
    },
    key: `${P}:developerGroupIds[1]`,
    says: /is listed twice/,
  },
  {
    what: "a private-endpoint subnet overlapping the apps subnet",
    stack: "dev",
    overrides: { privateEndpointSubnetPrefix: "10.20.0.0/28" },
    key: `${P}:privateEndpointSubnetPrefix`,
    says: /overlaps appsSubnetPrefix/,
  },
  {
    what: "an apps subnet in a range Container Apps reserves",
    stack: "dev",
    overrides: {
      vnetAddressSpace: "172.30.0.0/16",
      appsSubnetPrefix: "172.30.0.0/23",
      privateEndpointSubnetPrefix: "172.30.2.0/24",
    },
    key: `${P}:appsSubnetPrefix`,
    says: /appsSubnetPrefix = "172\.30\.0\.0\/23": overlaps 172\.30\.0\.0\/16, reserved by Container Apps/,
  },
  // The BlobStorage component's rules, through the config keys that feed it.
  {
    what: "a blob container name the component refuses",
    stack: "dev",
    overrides: { storageContainers: ["recordings", "Call_Logs"] },
    key: `${P}:storageContainers[1]`,
    says: /storageContainers\[1\] = "Call_Logs": must be 3-63 lowercase letters, digits or single '-'/,
  },
  {
    what: "a storage SKU that is not zone redundant in prod (AVL-1)",
    stack: "prod",
    overrides: { storageSkuName: "Standard_RAGRS" },
    key: `${P}:storageSkuName`,
    says: /storageSkuName = "Standard_RAGRS": must be Standard_GZRS or Standard_RAGZRS: prod is zone redundant \(AVL-1\)/,
  },
  // The ManagedRedis component's fields, through the config keys that feed them.
  {
    what: "a Redis SKU Azure Managed Redis does not have",
    stack: "dev",
    overrides: { redisSkuName: "Balanced_B2" },
    key: `${P}:redisSkuName`,
    says: /redisSkuName = "Balanced_B2": must be an Azure Managed Redis SKU .*one of .*Balanced_B0/,
  },
  {
    what: "an unknown Redis persistence",
    stack: "dev",
    overrides: { redisPersistence: "always" },
    key: `${P}:redisPersistence`,
    says: /redisPersistence = "always": must be one of none, rdb, aof/,
  },
  {
    what: "a workload profile whose minimum exceeds its maximum",
    stack: "dev",
    overrides: {
      workloadProfiles: [{ name: "big", workloadProfileType: "D4", minimumCount: 5, maximumCount: 2 }],
    },
    key: `${P}:workloadProfiles[0].maximumCount`,
    says: /must be >= minimumCount \(5\)/,
  },
  {
    what: "an image that is not an image reference",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], image: "not a valid image!!" }] },
    key: `${P}:apps[0].image`,
    says: /not a container image reference/,
  },
  {
    what: "a misspelt key inside an app",
    stack: "dev",
    overrides: { apps: [{ ...devApps()[0], targetprot: 8080 }] },
    key: `${P}:apps[0].targetprot`,
    says: /did you mean targetPort\?/,
  },
  {
    what: "prod without Sentinel (SIEM-1)",
    stack: "prod",
    overrides: { sentinel: false },
    key: `${P}:sentinel`,
    says: /SIEM-1/,
  },
  {
    what: "a WAF rate limit below Front Door's minimum (EDGE-1)",
    stack: "dev",
    overrides: { wafRateLimitPerMinute: 5 },
    key: `${P}:wafRateLimitPerMinute`,
    says: /10\.\.100000/,
  },
  {
    what: "a WAF custom rule that allows traffic past the managed rules (EDGE-1)",
    stack: "dev",
    overrides: {
      wafCustomRules: [
        {
          name: "AllowAll",
          priority: 1,
          action: "Allow",
          matchVariable: "RequestUri",
          operator: "Contains",
          matchValues: ["/"],
        },
      ],
    },
    key: `${P}:wafCustomRules[0].action`,
    says: /Allow rule would skip the managed rule sets/,
  },
  {
    what: "a Front Door custom domain for an internal app (EDGE-1)",
    stack: "dev",
    overrides: { frontDoorCustomDomains: { api: "api.example.com" } },
    key: `${P}:frontDoorCustomDomains.api`,
    says: /names no frontend app/,
  },
  {
    // Front Door endpoint names hold 2-46 characters: a valid app name (up to 32) with a long
    // prefix made one Azure refuses half-way through the deployment.
    what: "a frontend whose Front Door endpoint name would exceed 46 characters (EDGE-1)",
    stack: "dev",
    overrides: {
      namePrefix: "platform",
      apps: [{ ...devApps()[0], name: "customer-self-service-portal-web" }],
    },
    key: `${P}:apps[0].name`,
    says: /fde-customer-self-service-portal-web-platform-dev" \(49 characters\); Azure allows at most 46/,
  },
  // Front Door's WAF limits (Microsoft's "Azure Front Door limits"): the policy's PUT fails beyond
  // them, half-way through the deploy. Accepted before (no limit on either list).
  {
    what: "more geo-filter countries than one WAF rule holds (10 conditions of 10)",
    stack: "dev",
    overrides: {
      wafAllowedCountries: Array.from({ length: 101 }, (_, i) =>
        String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)),
      ),
    },
    key: `${P}:wafAllowedCountries`,
    says: /at most 100 countries/,
  },
  {
    what: "a WAF custom rule with more string values than one match condition takes",
    stack: "dev",
    overrides: {
      wafCustomRules: [
        {
          name: "BlockPaths",
          priority: 1,
          action: "Block",
          matchVariable: "RequestUri",
          operator: "Contains",
          matchValues: Array.from({ length: 11 }, (_, i) => `/p${i}`),
        },
      ],
    },
    key: `${P}:wafCustomRules[0].matchValues`,
    says: /lists 11 values; Front Door takes at most 10 per condition with Contains/,
  },
  // "Priority numbers must be unique among all custom rules", names too (Microsoft's "Custom rules
  // for Azure Web Application Firewall on Azure Front Door"): the policy's PUT would fail. Accepted
  // before.
  {
    what: "two WAF custom rules with the same priority",
    stack: "dev",
    overrides: { wafCustomRules: [wafRule("BlockA", 5), wafRule("BlockB", 5)] },
    key: `${P}:wafCustomRules[1].priority`,
    says: /is also the priority of rule 0 \(Front Door needs unique priorities\)/,
  },
  {
    what: "a WAF custom rule named like one of the platform's",
    stack: "dev",
    overrides: { wafCustomRules: [wafRule("RateLimitPerClientIp", 1)] },
    key: `${P}:wafCustomRules[0].name`,
    says: /is the name of one of the platform's own WAF rules/,
  },
  {
    what: "a geo-filter country that is not an ISO code",
    stack: "dev",
    overrides: { wafAllowedCountries: ["Germany"] },
    key: `${P}:wafAllowedCountries[0]`,
    says: /ISO 3166-1/,
  },
  {
    what: "a deploy principal that is a name, not an object ID",
    stack: "prod",
    overrides: { deployPrincipalId: "sap-deploy-prod" },
    key: `${P}:deployPrincipalId`,
    says: /Entra object ID/,
  },
  {
    what: "a value of the wrong declared type",
    stack: "dev",
    overrides: { backupRetentionDays: "thirty" },
    key: `${P}:backupRetentionDays`,
    says: /type 'integer'/,
  },
];

async function configError(
  promise: Promise<unknown>,
): Promise<{ message: string; keys: string[]; problems: ConfigProblem[]; runError: boolean }> {
  try {
    await promise;
  } catch (err) {
    if (!isConfigError(err)) throw err;
    return {
      message: err.message,
      keys: err.problems.map((p) => p.key),
      problems: err.problems,
      runError: pulumi.RunError.isInstance(err),
    };
  }
  throw new Error("expected a ConfigError, the plan succeeded");
}

describe.each(cases)("$what", ({ stack, overrides, key, says }) => {
  it("is refused by the plan with a ConfigError naming the key", async () => {
    const registered: PlannedResource[] = [];
    const { message, keys } = await configError(planStack(stack, { configOverrides: overrides, registered }));
    expect(keys).toContain(key);
    expect(message).toContain(key);
    expect(message).toMatch(says);
    expect(registered).toEqual([]);
  });
});

// The program must refuse on its own too (pulumi up has no offline plan in front of it).
// One program run per class that the schema checks; the type check is the CLI's job.
describe.each(cases.filter((c) => !/declared type/.test(c.what)))("the program itself, $what", (c) => {
  it("throws the ConfigError before registering anything", async () => {
    const registered: PlannedResource[] = [];
    const { keys } = await configError(
      planStack(c.stack, { configOverrides: c.overrides, validateFirst: false, registered }),
    );
    expect(keys).toContain(c.key);
    expect(registered).toEqual([]);
  });
});

// Under the Pulumi CLI the SDK's runner prints a RunError's message alone; any other error the
// program throws is printed with its stack trace and fields ("failed with an unhandled exception",
// @pulumi/pulumi cmd/run/run.js): bad config must read as the list, as `npm run plan` prints it.
describe("the program's ConfigError under the Pulumi CLI", () => {
  it("is a RunError, so pulumi preview shows the problems without a stack trace", async () => {
    const { runError, keys } = await configError(
      planStack("dev", { configOverrides: { backupRetentionDays: 7 }, validateFirst: false }),
    );
    expect(keys).toEqual([`${P}:backupRetentionDays`]);
    expect(runError).toBe(true);
  });
});

// ENV-1/IAM-2: the deployer roles go to the declared principal; anyone else running the
// program would grant them to itself, so the program refuses (exit 2 under the plan).
describe("running as an identity other than deployPrincipalId", () => {
  it("is refused with a ConfigError naming the key and both object IDs, before anything registers", async () => {
    const registered: PlannedResource[] = [];
    const other = "11111111-2222-4333-8444-555555555555";
    const { message, keys } = await configError(planStack("prod", { runAs: other, registered }));
    expect(keys).toEqual([`${P}:deployPrincipalId`]);
    expect(message).toContain(other);
    expect(message).toContain("faa20390-bbe9-4192-83be-1827caeea269");
    expect(registered).toEqual([]);
  });
});

describe("several problems at once", () => {
  it("are all listed in one error", async () => {
    const { keys } = await configError(
      planStack("dev", {
        configOverrides: { backupRetentionDays: 7, logRetentionDays: 10, namePrefix: "X" },
      }),
    );
    expect(keys).toEqual(
      expect.arrayContaining([`${P}:backupRetentionDays`, `${P}:logRetentionDays`, `${P}:namePrefix`]),
    );
  });

  it("include the cross-key rules (region) even when other keys fail their own checks", async () => {
    const apps = [{ name: "web", image: "nginx:1.27", targetPort: 80, ingress: "public" }];
    const { keys, message } = await configError(
      planStack("dev", {
        configOverrides: { "azure-native:location": "eastus", backupRetentionDays: 7, apps },
      }),
    );
    expect(keys).toEqual(
      expect.arrayContaining(["azure-native:location", `${P}:backupRetentionDays`, `${P}:apps[0].ingress`]),
    );
    expect(message).toMatch(/eastus.*allowedLocations/);
  });

  it("a value of the wrong type does not hide the other keys' problems", async () => {
    const { keys } = await configError(
      planStack("dev", { configOverrides: { backupRetentionDays: "thirty", namePrefix: "X" } }),
    );
    expect(keys).toEqual([`${P}:backupRetentionDays`, `${P}:namePrefix`]);
  });

  it("a duplicate app name does not hide behind another app's error", async () => {
    const [web] = devApps();
    const apps = [
      { ...web, cpu: 0.3 },
      { ...web, ingress: "internal" },
    ];
    const { keys, message } = await configError(planStack("dev", { configOverrides: { apps } }));
    expect(keys).toEqual([`${P}:apps[0].cpu`, `${P}:apps[1].name`]);
    expect(message).toContain('duplicates app "web"');
  });

  it("name the key inside an app without dumping the whole app", async () => {
    const apps = [{ ...devApps()[0], env: { LOG_LEVEL: "x".repeat(200) }, targetprot: 1 }];
    const { message } = await configError(planStack("dev", { configOverrides: { apps } }));
    expect(message).toContain(
      `${P}:apps[0].targetprot = 1: is not a field of an app; did you mean targetPort?`,
    );
    expect(message).not.toContain("x".repeat(100));
  });

  it("a component rule on one key is not hidden by another key's error", async () => {
    // Each pair used to be one rule reading both keys: the first key's error skipped the second's check.
    const rule = {
      name: "block-bad",
      priority: 1,
      action: "Block",
      matchVariable: "RemoteAddr",
      operator: "IPMatch",
      matchValues: ["198.51.100.0/24"],
    };
    const { keys } = await configError(
      planStack("prod", {
        configOverrides: {
          postgresDatabases: ["postgres"],
          postgresSkuName: "Standard_B2s",
          storageContainers: ["$logs"],
          storageSkuName: "Standard_GRS",
          apps: [{ ...devApps()[0], ingress: "public" }],
          wafCustomRules: [rule, { ...rule, priority: 2 }],
        },
      }),
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        `${P}:postgresDatabases[0]`,
        `${P}:postgresSkuName`,
        `${P}:storageContainers[0]`,
        `${P}:storageSkuName`,
        `${P}:apps[0].ingress`,
        `${P}:wafCustomRules[1].name`,
      ]),
    );
  });

  it("skip a cross-key rule whose own keys are invalid instead of blaming twice", async () => {
    const { problems } = await configError(planStack("prod", { configOverrides: { zoneRedundant: "yes" } }));
    expect(problems.filter((p) => p.key === `${P}:zoneRedundant`)).toHaveLength(1);
  });
});

describe("a bad stack file", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("with a misspelt setting names it and suggests the right one", async () => {
    const file = path.join(dir, "Pulumi.typo.yaml");
    const dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(file, `${dev}\n  ${P}:backupRetention: 30\n`);
    const { message, keys } = await configError(planStack("typo", { stackFile: file }));
    expect(keys).toContain(`${P}:backupRetention`);
    expect(message).toContain(`did you mean ${P}:backupRetentionDays`);
  });

  it("with a misspelt namespace names it and suggests the right one", async () => {
    const file = path.join(dir, "Pulumi.ns.yaml");
    const dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(file, `${dev}\n  secure-azure-platfrom:logRetentionDays: 400\n  ${P}:namePrefix: X\n`);
    const { message, keys } = await configError(planStack("ns", { stackFile: file }));
    expect(keys).toEqual(["secure-azure-platfrom:logRetentionDays", `${P}:namePrefix`]);
    expect(message).toContain(`did you mean ${P}:logRetentionDays?`);
  });
});

// What each message says: the value allowed, never zod's own wording ("Invalid input: expected
// string, received undefined", "Too small: ...", "Invalid email address"), which named neither
// the setting's rule nor what to write. A value of every shape, for every declared setting.
describe("every message says what is allowed", () => {
  const ZOD_WORDING = /^(Invalid input|Invalid email|Too small|Too big)|expected \w+, received \w+/;
  const dev = readStackConfig("dev").projectSettings;
  const declarations = projectDeclarations();
  const shapes: unknown[] = [undefined, null, "", "x", -1, 1e9, true, [], [null], [""], [{}], [1, "x"], {}];
  const problemsFor = (raw: Record<string, unknown>): ConfigProblem[] => {
    try {
      validatePlatformConfig(raw, declarations);
    } catch (err) {
      if (!isConfigError(err)) throw err;
      return err.problems;
    }
    return [];
  };

  it.each([...Object.keys(declarations), "location"])("%s, whatever its shape", (key) => {
    const zodWorded = shapes.flatMap((value) =>
      problemsFor({ ...dev, location: "westeurope", [key]: value })
        .filter((p) => ZOD_WORDING.test(p.message))
        .map((p) => `${p.key} = ${p.value}: ${p.message}`),
    );
    expect(zodWorded).toEqual([]);
  });

  it("inside apps, workload profiles and WAF rules too", () => {
    const web = devApps()[0];
    const raw = {
      ...dev,
      location: "westeurope",
      apps: [{ ...web, env: [1], secrets: "x", uses: "keyvault", ipRestrictions: [null] }],
      workloadProfiles: [{}],
      wafCustomRules: [{}, { name: "r", priority: 1, matchValues: [1] }],
      frontDoorCustomDomains: { web: 1 },
    };
    const problems = problemsFor(raw);
    expect(problems.length).toBeGreaterThanOrEqual(10);
    expect(problems.filter((p) => ZOD_WORDING.test(p.message))).toEqual([]);
    const byKey = Object.fromEntries(problems.map((p) => [p.key, p.message]));
    expect(byKey[`${P}:apps[0].env`]).toBe("must be a mapping (key: value)");
    expect(byKey[`${P}:apps[0].uses`]).toBe("must be a list");
    expect(byKey[`${P}:wafCustomRules[0].name`]).toBe("is required: a string");
    expect(byKey[`${P}:wafCustomRules[1].matchValues[0]`]).toBe("must be a string");
    expect(byKey[`${P}:frontDoorCustomDomains.web`]).toBe("must be a string");
  });

  it("a missing owner, cost centre or PostgreSQL admin group name says what to set", async () => {
    const { problems } = await configError(
      planStack("dev", {
        configOverrides: { owner: undefined, costCenter: undefined, postgresAdminGroupName: undefined },
      }),
    );
    expect(problems.map((p) => [p.key, p.value, p.message])).toEqual([
      [`${P}:owner`, "(not set)", "is required: the owning team, a string (CLS-1 owner tag)"],
      [`${P}:costCenter`, "(not set)", "is required: the cost centre, a string (cost-centre tag)"],
      [
        `${P}:postgresAdminGroupName`,
        "(not set)",
        "is required: the display name of the Entra group that administers PostgreSQL",
      ],
    ]);
  });

  it("a workload profile that is not an object is a problem, not a crash", () => {
    const problems = problemsFor({ ...dev, location: "westeurope", workloadProfiles: [null] });
    expect(problems.map((p) => [p.key, p.message])).toEqual([
      [`${P}:workloadProfiles[0]`, "must be a mapping (key: value)"],
    ]);
  });
});

// `pulumi preview`/`up` have no offline plan in front of them: the Node.js language host prints
// a RunError's message alone and any other error with its stack trace (@pulumi/pulumi
// cmd/run/run.js), so bad config and bad component arguments must be RunErrors.
describe("under the real CLI", () => {
  // (Bad stack config: "the program's ConfigError under the Pulumi CLI" above, through the program.)
  it("bad component arguments are a RunError too", () => {
    const RunError = pulumi.RunError;
    let thrown: unknown;
    try {
      parseArgs('ContainerAppsEnvironment "env"', workloadProfilesSchema, [null], ["workloadProfiles"]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ComponentArgsError);
    expect(RunError.isInstance(thrown)).toBe(true);
    expect((thrown as ComponentArgsError).message).toContain("workloadProfiles[0] = null: must be a mapping");
  });
});

describe("a stack file with a misspelt top-level key", () => {
  it("names it and suggests config:, together with what its absence causes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-top-"));
    try {
      const file = path.join(dir, "Pulumi.top.yaml");
      const dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");
      fs.writeFileSync(file, `secretsprovider: passphrase\n${dev.replace(/^config:/m, "configg:")}`);
      const { problems } = await configError(planStack("top", { stackFile: file }));
      expect(problems[0]).toEqual({
        key: "Pulumi.top.yaml configg",
        value: expect.stringContaining("westeurope"),
        message:
          "is not a key of a stack file; did you mean config? (allowed: config, secretsprovider, encryptedkey, encryptionsalt, environment)",
      });
      expect(problems.map((p) => p.key)).toContain("azure-native:location");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a stack file with a misspelt azure-native setting", () => {
  it("names it and suggests the provider's key (the provider would ignore it)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-provider-"));
    try {
      const file = path.join(dir, "Pulumi.prov.yaml");
      const dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");
      fs.writeFileSync(file, `${dev}\n  azure-native:subscriptonId: 00000000-0000-4000-8000-000000000001\n`);
      const { problems } = await configError(planStack("prov", { stackFile: file }));
      expect(problems.map((p) => p.key)).toEqual(["azure-native:subscriptonId"]);
      expect(problems[0].message).toMatch(
        /^is not a setting of the azure-native provider \(did you mean azure-native:subscriptionId\?\); its settings: .*\blocation\b/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a stack file with secure: values for this project's settings", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-secure-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const withSecure = (name: string, keys: string[]): string => {
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    let dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");
    for (const key of keys) {
      expect(dev).toMatch(new RegExp(`^  ${P}:${key}: .*$`, "m"));
      dev = dev.replace(
        new RegExp(`^  ${P}:${key}: .*$`, "m"),
        `  ${P}:${key}:\n    secure: v1:AAAABBBBCCCC`,
      );
    }
    fs.writeFileSync(file, dev);
    return file;
  };

  it("says it cannot check a secret, instead of judging the placeholder as the value", async () => {
    const file = withSecure("secure", ["alertEmail"]);
    fs.appendFileSync(file, `  ${P}:backupRetentionDays:\n    secure: v1:DDDDEEEE\n`);
    const { problems, message } = await configError(planStack("secure", { stackFile: file }));
    expect(problems.map((p) => [p.key, p.value])).toEqual([
      [`${P}:backupRetentionDays`, "[secret]"],
      [`${P}:alertEmail`, "[secret]"],
    ]);
    for (const p of problems)
      expect(p.message).toMatch(/^is a secret \(secure:\), which the offline plan cannot decrypt/);
    // Used to read "must be of type 'integer'" and "offline-secret-...: must be an e-mail address".
    expect(message).not.toContain("offline-secret-");
    expect(message).not.toContain("must be of type");
  });

  it("refuses a secret even where its placeholder would pass the rules (the owner tag): the program reads it as plain data", async () => {
    // Used to plan: the real program would have written the decrypted owner in plain text into
    // every resource's tags and the state. The program refuses it too (test/configSecrets.test.ts).
    const { problems } = await configError(
      planStack("secure-owner", { stackFile: withSecure("secure-owner", ["owner"]) }),
    );
    expect(problems.map((p) => [p.key, p.value])).toEqual([[`${P}:owner`, "[secret]"]]);
    expect(problems[0].message).toMatch(
      /no setting of this project needs to be secret \(SEC-1: secrets live in Key Vault\)/,
    );
  });
});
