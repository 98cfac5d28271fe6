/** Logging (LOG-1, MON-1): workspace >= 365 days, no local auth, private ingestion, action group. */
import { Logging, type LoggingArgs } from "../../components/logging";
import { testPlatform } from "../helpers/platform";
import { only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const WORKSPACE = "azure-native:operationalinsights:Workspace";
const GROUP = "azure-native:monitor:ActionGroup";
const DIAG = "azure-native:monitor:DiagnosticSetting";
const LOCK = "azure-native:authorization:ManagementLockByScope";

const prod = () => testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true });
const args = (overrides: Partial<LoggingArgs> = {}): LoggingArgs => ({
  platform: testPlatform(),
  retentionInDays: 365,
  alertEmail: "oncall@example.com",
  ...overrides,
});

async function refused(a: LoggingArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new Logging("logs", a));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('Logging "logs"');
  expect(resources).toEqual([]);
}

describe("Logging (dev defaults)", () => {
  let resources: PlannedResource[];
  let workspace: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new Logging("logs", args())));
    workspace = only(resources, WORKSPACE);
  });

  it("keeps logs 365 days with Entra-only access and private ingestion (LOG-1, IAM-1)", () => {
    expect(workspace.inputs).toMatchObject({
      workspaceName: "log-sap-platform-dev",
      sku: { name: "PerGB2018" },
      retentionInDays: 365,
      features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
      publicNetworkAccessForIngestion: "Disabled",
      // Query over the public endpoint with Entra auth only (documented in logging.ts).
      publicNetworkAccessForQuery: "Enabled",
      tags: { ...testPlatform().tags, dataClassification: "confidential" },
    });
  });

  it("audits the workspace itself into itself", () => {
    const diag = only(resources, DIAG);
    expect(diag.inputs).toMatchObject({
      resourceUri: workspace.id,
      workspaceId: workspace.id,
      logs: [{ categoryGroup: "audit", enabled: true }],
    });
  });

  it("has a global action group mailing the on-call address with the common schema (MON-1)", () => {
    const group = only(resources, GROUP);
    expect(group.inputs).toMatchObject({
      location: "global",
      enabled: true,
      emailReceivers: [
        { name: "platform-oncall", emailAddress: "oncall@example.com", useCommonAlertSchema: true },
      ],
    });
    expect(String(group.inputs.groupShortName).length).toBeLessThanOrEqual(12);
  });

  it("has no lock in dev", () => {
    expect(resources.filter((r) => r.type === LOCK || r.protect)).toEqual([]);
  });
});

describe("Logging in prod", () => {
  it("locks and protects the workspace (BAK-2)", async () => {
    const { resources } = await runProgram(
      () => new Logging("logs", args({ platform: prod(), retentionInDays: 730 })),
    );
    const workspace = only(resources, WORKSPACE);
    expect(workspace.protect).toBe(true);
    expect(workspace.inputs.retentionInDays).toBe(730);
    expect(only(resources, LOCK).inputs).toMatchObject({ scope: workspace.id, level: "CanNotDelete" });
  });
});

describe("Logging refuses insecure or invalid args before registering", () => {
  it.each([30, 364, 731, 365.5])("retentionInDays = %p", (days) =>
    refused(
      args({ retentionInDays: days }),
      /retentionInDays = .*: must be a whole number from 365 to 730 \(LOG-1 needs >= 365; Log Analytics allows at most 730\)/,
    ),
  );

  it("every bad setting at once, each with its value and what is allowed (ComponentArgsError)", async () => {
    const { error, resources } = await runExpectingError(
      () => new Logging("logs", args({ retentionInDays: 90, alertEmail: "oncall" })),
    );
    expect(error.name).toBe("ComponentArgsError");
    expect(error.message).toContain('Logging "logs": invalid arguments (2 problems)');
    expect(error.message).toContain(
      "retentionInDays = 90: must be a whole number from 365 to 730 (LOG-1 needs >= 365; Log Analytics allows at most 730)",
    );
    expect(error.message).toContain('alertEmail = "oncall": must be an e-mail address (MON-1 action group)');
    expect(resources).toEqual([]);
  });

  it("an alert address that is not an e-mail", () =>
    refused(args({ alertEmail: "oncall" }), /alertEmail = "oncall"/));

  it("lock off in prod", () =>
    refused(args({ platform: prod(), lock: { enabled: false } }), /lock\.enabled = false: refused/));

  it("local auth or public ingestion are not arguments", async () => {
    // @ts-expect-error local auth is always off (IAM-1)
    const a: LoggingArgs = { ...args(), disableLocalAuth: false };
    await refused(a, /unknown argument "disableLocalAuth"/);
    // @ts-expect-error ingestion is always private (LOG-1)
    const b: LoggingArgs = { ...args(), publicNetworkAccessForIngestion: "Enabled" };
    await refused(b, /unknown argument "publicNetworkAccessForIngestion"/);
  });
});
