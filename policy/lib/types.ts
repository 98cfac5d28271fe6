/**
 * Types shared by every policy of the pack: the controls catalog IDs, severities and the
 * metadata each policy carries on top of `@pulumi/policy`'s own shape.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Control IDs of the controls catalog (CONTROLS.md). Keep in sync with it. */
export const CONTROL_IDS = [
  "TLS-1",
  "ENC-1",
  "ENC-2",
  "KEY-1",
  "SEC-1",
  "IAM-1",
  "IAM-2",
  "NET-1",
  "NET-2",
  "BAK-1",
  "BAK-2",
  "AVL-1",
  "LOG-1",
  "MON-1",
  "RES-1",
  "CLS-1",
  "THR-1",
  "ENV-1",
  "EDGE-1",
  "SIEM-1",
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];
/** Severities, most severe first (reports group and sort by this order). */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface PlatformPolicyMeta {
  /** Controls of the catalog this policy enforces. */
  controls: ControlId[];
  severity: Severity;
  /** What to change so the resource passes. */
  remediation: string;
  /** azure-native type tokens (incl. aliases) the policy inspects. */
  resourceTypes?: string[];
  /**
   * A resource policy for every type (`resourceTypes` ["*"]) that is nevertheless not applicable
   * to a resource whose type token this returns false for, whatever its props, and says so
   * before reading them: the analyzer skips it for those tokens without calling it, as for
   * types outside `resourceTypes`.
   */
  appliesToType?: (token: string) => boolean;
}

export type PlatformResourcePolicy = ResourceValidationPolicy & PlatformPolicyMeta;
export type PlatformStackPolicy = StackValidationPolicy & PlatformPolicyMeta;
export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;
