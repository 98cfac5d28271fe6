/**
 * Defender for Cloud plans the platform requires (THR-1), declared once: the DefenderPlans
 * component turns them on and the policy pack refuses anything that lowers them. It lives in
 * `controls/` (shared by the pack and the components package) and imports nothing.
 */

/** A plan extension as Microsoft.Security/pricings takes it (isEnabled is the string "True"/"False"). */
export interface DefenderPlanExtension {
  readonly name: string;
  readonly isEnabled: "True" | "False";
}

/** One plan: its pricing name and, where Azure offers several, the sub-plan the platform needs. */
export interface DefenderPlan {
  readonly plan: string;
  /**
   * The current sub-plan. StorageAccounts: DefenderForStorageV2 (malware scanning and sensitive
   * data discovery; the classic PerTransaction / PerStorageAccount plans have neither).
   * KeyVaults: PerKeyVault (the classic PerTransaction plan is being retired).
   */
  readonly subPlan?: string;
  /** Extensions the stack states on the plan (and then leaves to the subscription's Owner). */
  readonly extensions?: readonly DefenderPlanExtension[];
}

/**
 * Defender for Storage's on-upload malware scanning and sensitive data threat detection. Enabling
 * them at subscription scope needs Subscription Owner or Microsoft's "action set 1" (it includes
 * Microsoft.Authorization/roleAssignments/write: Defender assigns roles to its scanner), which
 * the deploy identity never holds (its RBAC administrator role is conditioned, IAM-2). Left out,
 * Azure turns scanning on when the sub-plan is first enabled (hashicorp/terraform-provider-azurerm
 * #27338) and reports a failure in the extension's own operationStatus (pricings.json), not as an
 * error of the request: a silent gap. So the stack says "False" and a subscription Owner turns
 * them on once (docs/running-in-ci.md); the stack then never touches them (ignoreChanges on
 * each extension), and the pack does not judge them on the subscription's plan.
 */
export const STORAGE_SCANNING_EXTENSIONS: readonly DefenderPlanExtension[] = [
  { name: "OnUploadMalwareScanning", isEnabled: "False" },
  { name: "SensitiveDataDiscovery", isEnabled: "False" },
];

/**
 * Resource provider namespaces on-upload malware scanning creates resources in, in the customer's
 * subscription: "For each storage account you enable malware scanning on, an Event Grid System
 * Topic resource is created in the same resource group of the storage account" (Microsoft's
 * "Malware scanning in Defender for Storage", Set up of malware scanning; MicrosoftDocs/
 * defender-docs articles/defender-for-cloud/defender-for-storage-malware-scan.md). A create in a
 * namespace the subscription never registered fails with MissingSubscriptionRegistration; whether
 * Defender registers Microsoft.EventGrid itself is not documented, so the setup registers it
 * wherever the stack manages the StorageAccounts plan whose scanning a subscription Owner turns on.
 */
export const MALWARE_SCANNING_NAMESPACES = ["Microsoft.EventGrid"] as const;

/** The plans for the services the platform runs (THR-1), with Azure's current sub-plans. */
export const DEFENDER_PLANS: readonly DefenderPlan[] = [
  { plan: "StorageAccounts", subPlan: "DefenderForStorageV2", extensions: STORAGE_SCANNING_EXTENSIONS },
  { plan: "KeyVaults", subPlan: "PerKeyVault" },
  { plan: "Containers" },
  { plan: "OpenSourceRelationalDatabases" },
];

/**
 * Defender for Storage's default monthly malware-scanning cap per account (GB; Microsoft's
 * "Infrastructure as Code enablement" page). A lower cap stops scanning for the rest of the
 * month once an attacker has uploaded that much; -1 means no cap.
 */
export const MALWARE_SCAN_DEFAULT_CAP_GB = 5000;
