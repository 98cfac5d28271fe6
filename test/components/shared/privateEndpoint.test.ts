/** NET-1: private endpoint in the PE subnet with the service's group ID and DNS zone group. */
import {
  PRIVATE_LINK,
  addPrivateEndpoint,
  type PrivateLinkService,
} from "../../../components/common/privateEndpoint";
import { testPlatform } from "../../helpers/platform";
import { only, runProgram } from "../../helpers/pulumi";

const PE = "azure-native:network:PrivateEndpoint";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";
const TARGET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql1";

describe("addPrivateEndpoint", () => {
  it.each([
    ["vault", "vault", "vault"],
    ["blob", "blob", "blob"],
    ["postgresqlServer", "postgresqlServer", "postgres"],
    ["redisEnterprise", "redisEnterprise", "redis"],
  ] as const)("%s: group ID %s, zone %s", async (service: PrivateLinkService, groupId, zone) => {
    const platform = testPlatform();
    const { resources } = await runProgram(() =>
      addPrivateEndpoint("svc", TARGET, service, platform, undefined, {}),
    );
    const pe = only(resources, PE);
    expect(PRIVATE_LINK[service]).toEqual({ groupId, zone });
    expect(pe.inputs).toMatchObject({
      privateEndpointName: "pep-sap-svc-dev",
      location: platform.location,
      resourceGroupName: platform.resourceGroupName,
      subnet: { id: platform.privateEndpointSubnetId },
      privateLinkServiceConnections: [{ privateLinkServiceId: TARGET, groupIds: [groupId] }],
      tags: { ...platform.tags, dataClassification: "internal" },
    });
    const group = only(resources, ZONE_GROUP);
    expect(group.inputs).toMatchObject({
      privateEndpointName: "pep-sap-svc-dev",
      privateDnsZoneConfigs: [{ name: zone, privateDnsZoneId: platform.privateDnsZoneIds[zone] }],
    });
    expect(group.dependencies).toContain(pe.urn);
  });

  it("takes another subnet and zone", async () => {
    const { resources } = await runProgram(() =>
      addPrivateEndpoint(
        "svc",
        TARGET,
        "vault",
        testPlatform(),
        { subnetId: "/subnets/other", privateDnsZoneId: "/zones/other" },
        {},
        "pep-custom",
      ),
    );
    expect(only(resources, PE).inputs).toMatchObject({
      privateEndpointName: "pep-custom",
      subnet: { id: "/subnets/other" },
    });
    expect(only(resources, ZONE_GROUP).inputs.privateDnsZoneConfigs).toEqual([
      { name: "vault", privateDnsZoneId: "/zones/other" },
    ]);
  });
});
