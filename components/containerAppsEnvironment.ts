/**
 * The Container Apps environment every app runs in: VNet-integrated on the delegated apps
 * subnet (NET-1), mTLS-style encryption of traffic between apps (TLS-1), logs through Azure
 * Monitor plus a diagnostic setting to the platform workspace, never the workspace shared key
 * (LOG-1, IAM-1), zone redundant in prod (AVL-1), a lock and `protect` in prod.
 *
 * The environment is always internal with public network access disabled: it has no public IP
 * at all (NET-2). Frontends keep `external` ingress, which on an internal environment means
 * reachable from the VNet and through the environment's private endpoint, which only Front Door
 * uses (EDGE-1, components/frontDoor.ts). Private endpoints need a workload-profiles
 * environment: this one always is (the Consumption profile is declared explicitly).
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import { addDiagnostics, checkDiagnostics } from "./common/diagnostics";
import {
  startArgChecks,
  type DiagnosticsArgs,
  type LockArgs,
  type PlatformContext,
} from "./common/interfaces";
import { addLock, resolveLock } from "./common/lock";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { parseArgs, PLATFORM_CONTEXT_KEYS } from "./common/schema";
import {
  CONSUMPTION_PROFILE,
  workloadProfilesSchema,
  type DedicatedWorkloadProfile,
} from "./containerAppsEnvironment.schema";
import { componentType, withLegacyAlias } from "./common/componentType";
import { zoneRedundancyRequired } from "./common/mandatory";

export { CONSUMPTION_PROFILE, type DedicatedWorkloadProfile } from "./containerAppsEnvironment.schema";

export interface ContainerAppsEnvironmentArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  /**
   * Resource ID of the apps subnet, delegated to `Microsoft.App/environments` (NET-1).
   * FIXED AT CREATION: Azure cannot move an environment to another subnet; changing it
   * replaces the environment and every app in it (prod's `protect` blocks that).
   */
  infrastructureSubnetId: pulumi.Input<string>;
  /**
   * Whether any app of the stack is a frontend, served through the edge (EDGE-1) over the
   * environment's private endpoint. It no longer changes the environment's network mode (always
   * internal, public network access disabled); it only tells apps that frontends are expected.
   */
  hasFrontend: boolean;
  /** Dedicated profiles on top of Consumption (AVL-1 sizing). Default none. */
  workloadProfiles?: DedicatedWorkloadProfile[];
  /** Part of the environment's name. Default `apps`. */
  purpose?: string;
  /** Where the diagnostic logs go and which extra categories (LOG-1). */
  diagnostics?: DiagnosticsArgs;
  /** The deletion lock (BAK-2). */
  lock?: LockArgs;
  /** Extra tags; cannot override the CLS-1 tags. */
  tags?: Record<string, string>;
}

const ARG_KEYS = [
  "platform",
  "infrastructureSubnetId",
  "hasFrontend",
  "workloadProfiles",
  "purpose",
  "diagnostics",
  "lock",
  "tags",
] as const satisfies readonly (keyof ContainerAppsEnvironmentArgs)[];

/** What a `ContainerApp` needs to know about its environment. */
export interface ContainerAppsEnvironmentReference {
  /** Resource ID of the environment. */
  environmentId: pulumi.Input<string>;
  /** Whether frontend apps (external ingress, reached through the edge over Private Link) are served. */
  external: boolean;
  /** Workload profile names apps may run on. */
  workloadProfileNames: string[];
}

/**
 * Container Apps environment (NET-1, LOG-1): internal, in the apps subnet, logging to the
 * platform workspace, reached by the edge over Private Link.
 */
export class ContainerAppsEnvironment extends pulumi.ComponentResource {
  /** Resource ID of the environment. */
  readonly environmentId: pulumi.Output<string>;
  /** Name of the environment. */
  readonly environmentName: pulumi.Output<string>;
  /** `<unique>.<region>.azurecontainerapps.io`: apps are `<app>[.internal].<defaultDomain>`. */
  readonly defaultDomain: pulumi.Output<string>;
  /** Internal load balancer IP (private). */
  readonly staticIp: pulumi.Output<string>;
  /** Whether frontends are served (through the edge); the environment itself is always internal. */
  readonly external: boolean;
  /** Workload profile names apps may run on (`Consumption` first). */
  readonly workloadProfileNames: string[];
  /** What `ContainerApp` takes as `environment`. */
  readonly reference: ContainerAppsEnvironmentReference;

  constructor(name: string, args: ContainerAppsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `ContainerAppsEnvironment "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      ARG_KEYS,
      "VNet integration, peer encryption, Azure Monitor logs and zone redundancy are fixed by NET-1/TLS-1/LOG-1/AVL-1",
      PLATFORM_CONTEXT_KEYS,
    );
    if (typeof args.hasFrontend !== "boolean") {
      problems.add(["hasFrontend"], args.hasFrontend, "must be true or false (NET-2)");
    }
    if (args.infrastructureSubnetId === undefined || args.infrastructureSubnetId === "") {
      problems.add(
        ["infrastructureSubnetId"],
        args.infrastructureSubnetId,
        "is required: the environment is VNet-integrated on the delegated apps subnet (NET-1)",
      );
    }
    const profiles = problems.check(() =>
      parseArgs(owner, workloadProfilesSchema, args.workloadProfiles ?? [], ["workloadProfiles"]),
    )!;
    problems.check(() => checkDiagnostics(owner, args.diagnostics));
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    const locked = problems.check(() => resolveLock(platform, args.lock, owner))!;
    const purpose = args.purpose ?? "apps";
    const environmentName = problems.check(
      () => resourceName(platform, "containerAppsEnvironment", purpose),
      { path: ["purpose"], value: purpose },
    )!;
    const tags = problems.check(() => componentTags(platform, "internal", args.tags, owner))!;
    problems.throwIfAny();
    super(
      componentType("ContainerAppsEnvironment"),
      name,
      {},
      withLegacyAlias("ContainerAppsEnvironment", opts),
    );

    const zoneRedundant = zoneRedundancyRequired(platform);
    const environment = new app.ManagedEnvironment(
      `${name}-environment`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        environmentName,
        // NET-1: on the delegated subnet. NET-2/EDGE-1: internal load balancer only and no
        // public network access; the Internet reaches frontends only through Front Door.
        vnetConfiguration: {
          infrastructureSubnetId: args.infrastructureSubnetId,
          internal: true,
        },
        publicNetworkAccess: "Disabled",
        // TLS-1: traffic between apps inside the environment is encrypted.
        peerTrafficConfiguration: { encryption: { enabled: true } },
        // LOG-1 without the workspace shared key (IAM-1): Azure Monitor + diagnostic setting below.
        appLogsConfiguration: { destination: "azure-monitor" },
        zoneRedundant,
        workloadProfiles: [
          { name: CONSUMPTION_PROFILE, workloadProfileType: CONSUMPTION_PROFILE },
          ...profiles.map((p) => ({
            name: p.name,
            workloadProfileType: p.workloadProfileType,
            minimumCount: p.minimumCount,
            maximumCount: p.maximumCount,
          })),
        ],
        tags,
      },
      // Subnet and internal/external mode are fixed: in prod, `protect` turns an accidental
      // replacement (which would take every app down) into a failed plan. A replacement (dev
      // turning `zoneRedundant` on or off) must delete the old environment first: the new one
      // has the same name and the same delegated subnet, which one environment holds at a time
      // (microsoft/azure-container-apps#974). azure-native already answers so for a named
      // resource (its Diff: deleteBeforeReplace unless randomly auto-named); saying it here
      // keeps it so. The engine then replaces the apps first (`environmentId` is create-only).
      { parent: this, protect: locked, deleteBeforeReplace: true },
    );
    if (locked) addLock(`${name}-environment`, environment, args.lock, { parent: this });
    addDiagnostics(
      `${name}-environment`,
      environment.id,
      "containerAppsEnvironment",
      platform,
      args.diagnostics,
      { parent: this },
    );

    this.environmentId = environment.id;
    this.environmentName = environment.name;
    this.defaultDomain = environment.defaultDomain;
    this.staticIp = environment.staticIp;
    this.external = args.hasFrontend;
    this.workloadProfileNames = [CONSUMPTION_PROFILE, ...profiles.map((p) => p.name)];
    this.reference = {
      environmentId: this.environmentId,
      external: this.external,
      workloadProfileNames: this.workloadProfileNames,
    };
    this.registerOutputs({
      environmentId: this.environmentId,
      environmentName: this.environmentName,
      defaultDomain: this.defaultDomain,
      staticIp: this.staticIp,
      external: this.external,
    });
  }
}
