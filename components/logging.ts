/**
 * Logging and monitoring (LOG-1, MON-1): the Log Analytics workspace every diagnostic setting
 * writes to, and the action group every alert notifies.
 *
 * Ingestion over the public endpoint is off: diagnostic settings deliver over Azure's backbone.
 * Query access stays on the public endpoint, authenticated by Entra ID only (local auth is
 * off), so engineers and auditors can query from the portal without a jump host; closing it
 * too needs an Azure Monitor Private Link Scope, which this platform does not run.
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { addDiagnostics } from "./common/diagnostics";
import { startArgChecks, type LockArgs, type LoggingPlatform } from "./common/interfaces";
import { addLock, resolveLock } from "./common/lock";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { loggingSettingsSchema } from "./logging.schema";
import { LOGGING_PLATFORM_KEYS, parseArgs } from "./common/schema";
import { componentType, withLegacyAlias } from "./common/componentType";

export interface LoggingArgs {
  /** Placement, tags and the deletion-lock switch of the platform. */
  platform: LoggingPlatform;
  /** Days the workspace keeps logs: 365 (LOG-1) to 730 (the interactive tier's maximum). */
  retentionInDays: number;
  /** Where alerts go (MON-1). */
  alertEmail: string;
  /** The deletion lock on the workspace (BAK-2). */
  lock?: LockArgs;
}

/** The platform's Log Analytics workspace and alert action group (LOG-1, MON-1). */
export class Logging extends pulumi.ComponentResource {
  /** Resource ID of the workspace: every diagnostic setting sends here (LOG-1). */
  readonly workspaceId: pulumi.Output<string>;
  /** Name of the workspace. */
  readonly workspaceName: pulumi.Output<string>;
  /** Workspace (customer) ID that log queries address. */
  readonly workspaceCustomerId: pulumi.Output<string>;
  /** Resource ID of the action group every alert notifies (MON-1). */
  readonly actionGroupId: pulumi.Output<string>;

  constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `Logging "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      ["platform", "retentionInDays", "alertEmail", "lock"],
      "local auth, ingestion access and diagnostics are fixed by LOG-1/IAM-1",
      LOGGING_PLATFORM_KEYS,
    );
    const settings = problems.check(() =>
      parseArgs(owner, loggingSettingsSchema, {
        retentionInDays: args.retentionInDays,
        alertEmail: args.alertEmail,
      }),
    )!;
    const { platform } = args;
    problems.beforePlatformReads(platformOk);
    const locked = problems.check(() => resolveLock(platform, args.lock, owner))!;
    const prefix = { path: ["platform", "namePrefix"], value: platform.namePrefix };
    const workspaceName = problems.check(
      () => resourceName(platform, "logAnalyticsWorkspace", "platform"),
      prefix,
    )!;
    const actionGroupName = problems.check(() => resourceName(platform, "actionGroup", "platform"), prefix)!;
    // Audit logs are confidential: they name users, IPs and resources.
    const tags = problems.check(() => componentTags(platform, "confidential", {}, owner))!;
    problems.throwIfAny();
    super(componentType("Logging"), name, {}, withLegacyAlias("Logging", opts));

    const workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        workspaceName,
        sku: { name: "PerGB2018" },
        retentionInDays: settings.retentionInDays,
        features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
        // Closes ingestion to agents and the Logs Ingestion API only: "Logs and metrics uploaded to a
        // workspace via diagnostic settings go over a secure private Microsoft channel and aren't
        // controlled by these settings" (Microsoft's "Design your Azure Private Link setup",
        // Exceptions, https://learn.microsoft.com/azure/azure-monitor/logs/private-link-design).
        // Every log this platform collects is a diagnostic setting (resources, the Container Apps
        // environment's `azure-monitor` destination, the subscription's Activity log); no agent or
        // Data Collection Rule writes here, so nothing is lost without an AMPLS.
        publicNetworkAccessForIngestion: "Disabled",
        // Left open: experiences that query through Resource Manager "can only go through if the
        // target resource allows queries from public networks" (same page); Entra ID and RBAC guard it.
        publicNetworkAccessForQuery: "Enabled",
        tags,
      },
      { parent: this, protect: locked },
    );
    if (locked) addLock(`${name}-workspace`, workspace, args.lock, { parent: this });
    // The workspace's own Audit log (who queried what) goes to the workspace itself.
    addDiagnostics(
      `${name}-workspace`,
      workspace.id,
      "logAnalyticsWorkspace",
      { workspaceId: workspace.id },
      undefined,
      { parent: this },
    );

    const actionGroup = new monitor.ActionGroup(
      `${name}-action-group`,
      {
        resourceGroupName: platform.resourceGroupName,
        actionGroupName,
        location: "global",
        // At most 12 characters; shown as the sender of SMS and e-mail notifications.
        groupShortName: `${platform.namePrefix}${platform.environment}`.slice(0, 12),
        enabled: true,
        emailReceivers: [
          { name: "platform-oncall", emailAddress: settings.alertEmail, useCommonAlertSchema: true },
        ],
        tags: componentTags(platform, "internal"),
      },
      { parent: this },
    );

    this.workspaceId = workspace.id;
    this.workspaceName = workspace.name;
    this.workspaceCustomerId = workspace.customerId;
    this.actionGroupId = actionGroup.id;
    this.registerOutputs({
      workspaceId: this.workspaceId,
      workspaceName: this.workspaceName,
      workspaceCustomerId: this.workspaceCustomerId,
      actionGroupId: this.actionGroupId,
    });
  }
}
