/**
 * ContainerAppsEnvironment under mocks: VNet integration and internal/external mode (NET-1,
 * NET-2), peer encryption (TLS-1), Azure Monitor logs with a diagnostic setting and no
 * workspace key (LOG-1, IAM-1), workload profiles, zone redundancy, lock and protect in prod
 * (AVL-1), and refused inputs that register nothing.
 */
import {
  ContainerAppsEnvironment,
  type ContainerAppsEnvironmentArgs,
} from "../../components/containerAppsEnvironment";
import { prodPlatform, testPlatform, testResourceGroupId } from "../helpers/platform";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const ENV = "azure-native:app:ManagedEnvironment";
const DIAG = "azure-native:monitor:DiagnosticSetting";
const LOCK = "azure-native:authorization:ManagementLockByScope";
const SUBNET = `${testResourceGroupId()}/providers/Microsoft.Network/virtualNetworks/vnet-sap-dev/subnets/snet-sap-apps-dev`;

const args = (overrides: Partial<ContainerAppsEnvironmentArgs> = {}): ContainerAppsEnvironmentArgs => ({
  platform: testPlatform(),
  infrastructureSubnetId: SUBNET,
  hasFrontend: true,
  ...overrides,
});

async function run(a: ContainerAppsEnvironmentArgs): Promise<PlannedResource[]> {
  const { resources } = await runProgram(() => new ContainerAppsEnvironment("cae", a));
  return resources;
}

async function refused(a: ContainerAppsEnvironmentArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new ContainerAppsEnvironment("cae", a));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('ContainerAppsEnvironment "cae"');
  expect(resources).toEqual([]);
}

describe("ContainerAppsEnvironment (dev, with a frontend)", () => {
  let resources: PlannedResource[];
  let env: PlannedResource;
  beforeAll(async () => {
    resources = await run(args());
    env = only(resources, ENV);
  });

  it("is a component of the apps area", () => {
    expect(only(resources, "secure-azure-platform:index:ContainerAppsEnvironment").name).toBe("cae");
    expect(env.parent).toContain("ContainerAppsEnvironment::cae");
  });

  it("is VNet-integrated, internal and closed to the Internet even with a frontend (NET-1, NET-2, EDGE-1)", () => {
    expect(env.inputs.vnetConfiguration).toEqual({ infrastructureSubnetId: SUBNET, internal: true });
    expect(env.inputs.publicNetworkAccess).toBe("Disabled");
    // Private endpoints (Front Door's Private Link origin) need a workload-profiles environment.
    expect(env.inputs.workloadProfiles).toContainEqual({
      name: "Consumption",
      workloadProfileType: "Consumption",
    });
    expect(env.inputs.environmentName).toBe("cae-sap-apps-dev");
    expect(env.inputs.location).toBe("westeurope");
  });

  it("is deleted before its replacement is created: the new one takes the same name and subnet", () => {
    expect(env.deleteBeforeReplace).toBe(true);
  });

  it("encrypts traffic between apps (TLS-1)", () => {
    expect(env.inputs.peerTrafficConfiguration).toEqual({ encryption: { enabled: true } });
  });

  it("logs through Azure Monitor without the workspace shared key, plus a diagnostic setting (LOG-1, IAM-1)", () => {
    expect(env.inputs.appLogsConfiguration).toEqual({ destination: "azure-monitor" });
    expect(JSON.stringify(env.inputs)).not.toMatch(/sharedKey|customerId/);
    const diag = only(resources, DIAG);
    expect(diag.inputs.resourceUri).toBe(env.id);
    expect(diag.inputs.workspaceId).toBe(testPlatform().workspaceId);
    expect(diag.inputs.logs).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
    expect(diag.inputs.metrics).toEqual([{ category: "AllMetrics", enabled: true }]);
  });

  it("has the Consumption profile only by default and is not zone redundant in dev", () => {
    expect(env.inputs.workloadProfiles).toEqual([
      { name: "Consumption", workloadProfileType: "Consumption" },
    ]);
    expect(env.inputs.zoneRedundant).toBe(false);
  });

  it("carries the CLS-1 tags, no lock and no protect in dev", () => {
    expect(env.inputs.tags).toMatchObject({
      environment: "dev",
      owner: "platform-team",
      dataClassification: "internal",
    });
    expect(byType(resources, LOCK)).toEqual([]);
    expect(env.protect).toBe(false);
  });
});

describe("ContainerAppsEnvironment variants", () => {
  it("is internal when no app is a frontend (NET-2) and tells apps no frontend is served", async () => {
    let component: ContainerAppsEnvironment | undefined;
    const { resources } = await runProgram(() => {
      component = new ContainerAppsEnvironment("cae", args({ hasFrontend: false }));
    });
    expect(only(resources, ENV).inputs.vnetConfiguration).toEqual({
      infrastructureSubnetId: SUBNET,
      internal: true,
    });
    expect(component!.reference.external).toBe(false);
    expect(component!.reference.workloadProfileNames).toEqual(["Consumption"]);
  });

  it("adds configured dedicated workload profiles next to Consumption", async () => {
    const resources = await run(
      args({
        workloadProfiles: [{ name: "heavy", workloadProfileType: "D4", minimumCount: 1, maximumCount: 3 }],
      }),
    );
    expect(only(resources, ENV).inputs.workloadProfiles).toEqual([
      { name: "Consumption", workloadProfileType: "Consumption" },
      { name: "heavy", workloadProfileType: "D4", minimumCount: 1, maximumCount: 3 },
    ]);
  });

  it("is zone redundant, locked and protected in prod (AVL-1, BAK-2)", async () => {
    const resources = await run(args({ platform: prodPlatform() }));
    const env = only(resources, ENV);
    expect(env.inputs.zoneRedundant).toBe(true);
    expect(env.protect).toBe(true);
    const lock = only(resources, LOCK);
    expect(lock.inputs).toMatchObject({ scope: env.id, level: "CanNotDelete" });
    expect(lock.dependencies).toContain(env.urn);
  });
});

describe("ContainerAppsEnvironment refuses bad input and registers nothing", () => {
  it("an attempt to set the log destination or VNet settings directly", () =>
    refused(
      { ...args(), appLogsConfiguration: { destination: "log-analytics" } } as ContainerAppsEnvironmentArgs,
      /unknown argument "appLogsConfiguration"/,
    ));

  it("a missing subnet (NET-1)", () =>
    refused(args({ infrastructureSubnetId: "" }), /infrastructureSubnetId = "": is required.*NET-1/));

  it("a hasFrontend that is not a boolean", () =>
    refused(
      args({ hasFrontend: "yes" as unknown as boolean }),
      /hasFrontend = "yes": must be true or false/,
    ));

  it("a workload profile named Consumption", () =>
    refused(
      args({
        workloadProfiles: [
          { name: "Consumption", workloadProfileType: "D4", minimumCount: 0, maximumCount: 1 },
        ],
      }),
      /workloadProfiles\[0\]\.name = "Consumption": is used twice/,
    ));

  it("an unknown profile type or a maximum below the minimum", async () => {
    await refused(
      args({
        workloadProfiles: [{ name: "x", workloadProfileType: "Huge", minimumCount: 0, maximumCount: 1 }],
      }),
      /workloadProfileType = "Huge": must be a dedicated profile type/,
    );
    await refused(
      args({
        workloadProfiles: [{ name: "x", workloadProfileType: "E8", minimumCount: 3, maximumCount: 2 }],
      }),
      /maximumCount = 2: must be >= minimumCount \(3\)/,
    );
  });

  it("lock.enabled=false in prod (BAK-2)", () =>
    refused(args({ platform: prodPlatform(), lock: { enabled: false } }), /lock\.enabled = false: refused/));

  it("tags that try to relabel the environment (CLS-1)", () =>
    refused(
      args({ tags: { dataClassification: "public" } }),
      /tags\.dataClassification = "[^"]*": cannot be overridden/,
    ));
});
