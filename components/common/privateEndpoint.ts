/**
 * NET-1: the one way a data store is reached: a private endpoint in the private-endpoint
 * subnet with the service's group ID, registered in the matching private DNS zone.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import type { PlatformContext, PrivateDnsZoneKey, PrivateEndpointArgs } from "./interfaces";
import { resourceName } from "./naming";
import { componentTags } from "./tags";

export type PrivateLinkService = "vault" | "blob" | "postgresqlServer" | "redisEnterprise";

/** Private-link group ID (sub-resource) and DNS zone per service. */
export const PRIVATE_LINK: Readonly<
  Record<PrivateLinkService, { groupId: string; zone: PrivateDnsZoneKey }>
> = {
  vault: { groupId: "vault", zone: "vault" },
  blob: { groupId: "blob", zone: "blob" },
  postgresqlServer: { groupId: "postgresqlServer", zone: "postgres" },
  redisEnterprise: { groupId: "redisEnterprise", zone: "redis" },
};

/**
 * Private endpoint plus DNS zone group. The endpoint lives in the VNet's region
 * (`platform.location`) even when the target is elsewhere (a geo-backup vault in the paired
 * region): an endpoint must sit in its subnet's region. Its Azure name is
 * `pep-<prefix>-<name>-<env>` unless `endpointName` is given. `reachable(value)` is `value` once
 * the zone group registered the endpoint's address in a zone linked to the VNet (the `Network`
 * component's zone IDs resolve once the link exists): a client given it resolves the private
 * address, never the public one the store refuses (public network access disabled, NET-1).
 */
export function addPrivateEndpoint(
  name: string,
  resourceId: pulumi.Input<string>,
  service: PrivateLinkService,
  platform: Pick<
    PlatformContext,
    | "resourceGroupName"
    | "location"
    | "privateEndpointSubnetId"
    | "privateDnsZoneIds"
    | "tags"
    | "namePrefix"
    | "environment"
  >,
  args: PrivateEndpointArgs | undefined,
  opts: pulumi.CustomResourceOptions,
  endpointName?: string,
): PrivateEndpointResult {
  const link = PRIVATE_LINK[service];
  // The service comes from the component's own code, never from its caller: a plain Error is a bug here.
  if (!link) throw new Error(`${name}: unknown private-link service "${String(service)}" (NET-1)`);
  const endpoint = new network.PrivateEndpoint(
    `${name}-pe`,
    {
      privateEndpointName: endpointName ?? resourceName(platform, "privateEndpoint", name),
      resourceGroupName: platform.resourceGroupName,
      location: platform.location,
      subnet: { id: args?.subnetId ?? platform.privateEndpointSubnetId },
      privateLinkServiceConnections: [
        { name: `${name}-${link.groupId}`, privateLinkServiceId: resourceId, groupIds: [link.groupId] },
      ],
      tags: componentTags(platform, "internal"),
    },
    opts,
  );
  const dnsZoneGroup = new network.PrivateDnsZoneGroup(
    `${name}-pe-dns`,
    {
      resourceGroupName: platform.resourceGroupName,
      privateEndpointName: endpoint.name,
      privateDnsZoneGroupName: "default",
      privateDnsZoneConfigs: [
        {
          name: link.zone,
          privateDnsZoneId: args?.privateDnsZoneId ?? platform.privateDnsZoneIds[link.zone],
        },
      ],
    },
    { ...opts, parent: opts.parent ?? endpoint },
  );
  return {
    endpoint,
    dnsZoneGroup,
    reachable: <T>(value: pulumi.Input<T>) => pulumi.all([value, dnsZoneGroup.id]).apply(([v]) => v),
  };
}

/** The endpoint, its DNS registration, and a gate for what clients connect to. */
export interface PrivateEndpointResult {
  endpoint: network.PrivateEndpoint;
  dnsZoneGroup: network.PrivateDnsZoneGroup;
  reachable<T>(value: pulumi.Input<T>): pulumi.Output<pulumi.Unwrap<T>>;
}
