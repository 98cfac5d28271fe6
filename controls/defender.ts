/**
 * Defender for Cloud plans the platform requires (THR-1), declared once: the DefenderPlans
 * component turns them on and the policy pack refuses anything that lowers them. It lives in
 * `controls/` (shared by the pack and the components package) and imports nothing.
 */

/** One plan: its pricing name and, where Azure offers several, the sub-plan the platform needs. */
export interface DefenderPlan {
  readonly plan: string;
  /**
   * The current sub-plan. StorageAccounts: DefenderForStorageV2 (malware scanning and sensitive
   * data discovery; the classic PerTransaction / PerStorageAccount plans have neither).
   * KeyVaults: PerKeyVault (the classic PerTransaction plan is being retired).
   */
  readonly subPlan?: string;
  /**
   * Extensions of the plan that must never be switched off (`extensions[].isEnabled: "False"`):
   * Microsoft's IaC guide disables a Defender for Storage feature exactly that way.
   */
  readonly extensions?: readonly string[];
}

/** The plans for the services the platform runs (THR-1), with Azure's current sub-plans. */
export const DEFENDER_PLANS: readonly DefenderPlan[] = [
  {
    plan: "StorageAccounts",
    subPlan: "DefenderForStorageV2",
    extensions: ["OnUploadMalwareScanning", "SensitiveDataDiscovery"],
  },
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
