/**
 * Network (NET-1, NET-2) under mocks: NSG on every subnet, Internet only on 443 to the apps
 * subnet and only with a frontend, private DNS zones linked to the VNet, address plan
 * validated before anything registers.
 */
import { Network, type NetworkArgs } from "../../components/network";
import { testPlatform } from "../helpers/platform";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const VNET = "azure-native:network:VirtualNetwork";
const SUBNET = "azure-native:network:Subnet";
const NSG = "azure-native:network:NetworkSecurityGroup";
const ZONE = "azure-native:privatedns:PrivateZone";
const LINK = "azure-native:privatedns:VirtualNetworkLink";
const DIAG = "azure-native:monitor:DiagnosticSetting";

const args = (overrides: Partial<NetworkArgs> = {}): NetworkArgs => ({
  platform: testPlatform(),
  vnetAddressSpace: "10.20.0.0/16",
  appsSubnetPrefix: "10.20.0.0/23",
  privateEndpointSubnetPrefix: "10.20.2.0/24",
  hasFrontend: true,
  ...overrides,
});

interface Rule {
  name: string;
  priority: number;
  direction: string;
  access: string;
  protocol: string;
  sourceAddressPrefix: string;
  destinationPortRange: string;
}
const rules = (nsg: PlannedResource) => nsg.inputs.securityRules as Rule[];
const nsgNamed = (resources: PlannedResource[], suffix: string) =>
  byType(resources, NSG).find((n) => String(n.inputs.networkSecurityGroupName).includes(suffix))!;

async function refused(a: NetworkArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new Network("net", a));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('Network "net"');
  expect(resources).toEqual([]);
}

describe("Network with a frontend (dev defaults)", () => {
  let resources: PlannedResource[];
  let vnet: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new Network("net", args())));
    vnet = only(resources, VNET);
  });

  it("is a foundation component holding the VNet", () => {
    expect(vnet.parent).toBe(only(resources, "secure-azure-platform:index:Network").urn);
    expect(vnet.inputs).toMatchObject({
      virtualNetworkName: "vnet-sap-platform-dev",
      location: "westeurope",
      addressSpace: { addressPrefixes: ["10.20.0.0/16"] },
    });
  });

  it("delegates the apps subnet to Container Apps and puts an NSG on every subnet (NET-1)", () => {
    const subnets = byType(resources, SUBNET);
    expect(subnets).toHaveLength(2);
    const nsgIds = byType(resources, NSG).map((n) => n.id);
    for (const s of subnets) expect(nsgIds).toContain((s.inputs.networkSecurityGroup as { id: string }).id);
    const apps = subnets.find((s) => s.inputs.addressPrefix === "10.20.0.0/23")!;
    expect(apps.inputs.delegations).toEqual([
      { name: "container-apps", serviceName: "Microsoft.App/environments" },
    ]);
  });

  it("applies NSGs to private endpoints and gives the PE subnet no default outbound", () => {
    const pe = byType(resources, SUBNET).find((s) => s.inputs.addressPrefix === "10.20.2.0/24")!;
    expect(pe.inputs).toMatchObject({
      privateEndpointNetworkPolicies: "Enabled",
      defaultOutboundAccess: false,
    });
  });

  it("lets the Internet reach the apps subnet on TCP 443 only, and denies the rest (NET-2)", () => {
    const inbound = rules(nsgNamed(resources, "apps"));
    const fromInternet = inbound.filter((r) => r.sourceAddressPrefix === "Internet");
    expect(fromInternet.filter((r) => r.access === "Allow")).toEqual([
      expect.objectContaining({ protocol: "Tcp", destinationPortRange: "443", direction: "Inbound" }),
    ]);
    const deny = fromInternet.find((r) => r.access === "Deny")!;
    expect(deny.destinationPortRange).toBe("*");
    expect(deny.priority).toBeGreaterThan(fromInternet.find((r) => r.access === "Allow")!.priority);
    expect(inbound).toContainEqual(
      expect.objectContaining({ sourceAddressPrefix: "AzureLoadBalancer", access: "Allow" }),
    );
    expect(inbound).toContainEqual(
      expect.objectContaining({ name: "deny-all-inbound", priority: 4096, access: "Deny" }),
    );
  });

  it("lets only the VNet reach the private endpoints (NET-1)", () => {
    const inbound = rules(nsgNamed(resources, "pe"));
    const allows = inbound.filter((r) => r.access === "Allow");
    expect(allows).toEqual([expect.objectContaining({ sourceAddressPrefix: "VirtualNetwork" })]);
    expect(inbound).toContainEqual(expect.objectContaining({ name: "deny-all-inbound", access: "Deny" }));
  });

  it("has private DNS zones for every private-link service, linked to the VNet", () => {
    const zones = byType(resources, ZONE).map((z) => z.inputs.privateZoneName);
    expect(zones.sort()).toEqual(
      [
        "privatelink.vaultcore.azure.net",
        "privatelink.blob.core.windows.net",
        "privatelink.postgres.database.azure.com",
        "privatelink.redis.azure.net",
      ].sort(),
    );
    for (const z of byType(resources, ZONE)) expect(z.inputs.location).toBe("global");
    const links = byType(resources, LINK);
    expect(links).toHaveLength(4);
    for (const l of links) {
      expect(l.inputs).toMatchObject({
        virtualNetwork: { id: vnet.id },
        registrationEnabled: false,
        location: "global",
      });
    }
  });

  it("tags everything internal (CLS-1)", () => {
    for (const r of [...byType(resources, VNET), ...byType(resources, NSG), ...byType(resources, ZONE)]) {
      expect(r.inputs.tags).toEqual({ ...testPlatform().tags, dataClassification: "internal" });
    }
  });

  it("sends VNet and NSG logs to the workspace (LOG-1)", () => {
    const targets = byType(resources, DIAG).map((d) => d.inputs.resourceUri);
    expect(targets).toEqual(expect.arrayContaining([vnet.id, ...byType(resources, NSG).map((n) => n.id)]));
    for (const d of byType(resources, DIAG)) expect(d.inputs.workspaceId).toBe(testPlatform().workspaceId);
  });

  it("has no locks (nothing stateful)", () => {
    expect(resources.filter((r) => r.protect)).toEqual([]);
  });
});

describe("Network without a frontend", () => {
  it("allows nothing from the Internet (NET-2)", async () => {
    const { resources } = await runProgram(() => new Network("net", args({ hasFrontend: false })));
    for (const nsg of byType(resources, NSG)) {
      const fromInternet = rules(nsg).filter((r) => r.sourceAddressPrefix === "Internet");
      expect(fromInternet.every((r) => r.access === "Deny")).toBe(true);
    }
  });
});

describe("Network refuses a bad address plan before registering (NET-1)", () => {
  it("an overlapping subnet", () =>
    refused(
      args({ privateEndpointSubnetPrefix: "10.20.1.0/24" }),
      /privateEndpointSubnetPrefix = "10.20.1.0\/24": overlaps appsSubnetPrefix/,
    ));

  it("a subnet outside the address space", () =>
    refused(
      args({ appsSubnetPrefix: "10.30.0.0/23" }),
      /appsSubnetPrefix = "10.30.0.0\/23": must lie inside vnetAddressSpace/,
    ));

  it("an apps subnet smaller than /27 (workload profiles environment)", () =>
    refused(
      args({ appsSubnetPrefix: "10.20.0.0/28" }),
      /appsSubnetPrefix = "10.20.0.0\/28": must be \/27 or larger/,
    ));

  it.each(["172.30.4.0/23", "100.100.0.0/23", "192.0.2.0/27"])(
    "an apps subnet in a range Container Apps reserves (%s)",
    (appsSubnetPrefix) =>
      refused(
        args({
          vnetAddressSpace: `${appsSubnetPrefix.split(".").slice(0, 2).join(".")}.0.0/16`,
          appsSubnetPrefix,
          privateEndpointSubnetPrefix: `${appsSubnetPrefix.split(".").slice(0, 2).join(".")}.200.0/24`,
        }),
        new RegExp(
          `appsSubnetPrefix = "${appsSubnetPrefix.replace(/[./]/g, "\\$&")}": overlaps [^;]*reserved by Container Apps`,
        ),
      ),
  );

  it("a private-endpoint subnet smaller than /28", () =>
    refused(args({ privateEndpointSubnetPrefix: "10.20.2.0/29" }), /must be \/28 or larger/));

  it("something that is not a CIDR", () =>
    refused(args({ vnetAddressSpace: "10.20.0.0" }), /vnetAddressSpace = "10.20.0.0": is not a CIDR/));

  it("every problem of the plan at once, each with its key, value and what is allowed", () =>
    refused(
      args({
        vnetAddressSpace: "10.20.0.1/16",
        privateEndpointSubnetPrefix: "10.20.2.0/29",
        hasFrontend: 1 as never,
      }),
      /3 problems[\s\S]*vnetAddressSpace = "10.20.0.1\/16": is not aligned[\s\S]*hasFrontend = 1: must be true or false[\s\S]*privateEndpointSubnetPrefix = "10.20.2.0\/29": must be \/28 or larger/,
    ));

  it("a name prefix Azure would reject", () =>
    refused(args({ platform: testPlatform({ namePrefix: "bad prefix" }) }), /invalid virtualNetwork name/));

  it("extra NSG rules or subnets are not arguments", async () => {
    // @ts-expect-error NSG rules are fixed by NET-1/NET-2
    const a: NetworkArgs = { ...args(), securityRules: [{ name: "allow-ssh" }] };
    await refused(a, /unknown argument "securityRules"/);
  });

  it("hasFrontend must be a boolean", async () => {
    // @ts-expect-error hasFrontend is a boolean
    await refused(args({ hasFrontend: "yes" }), /hasFrontend = "yes": must be true or false/);
  });
});
