/**
 * The Network's address plan and edge switch (NET-1, NET-2): the `Network` component parses its
 * arguments with `networkSettingsSchema`, and the stack config's `vnetAddressSpace`,
 * `appsSubnetPrefix` and `privateEndpointSubnetPrefix` keys are the same fields and rules.
 */
import { z } from "zod";
import { parseCidr, subnetPlanProblems, type SubnetPlan } from "./network.plan";

/** An IPv4 CIDR block at its network address; the message says what is wrong with it. */
const cidr = (description: string) =>
  z
    .string({ message: "must be an IPv4 CIDR block such as 10.20.0.0/16" })
    .superRefine((value, ctx) => {
      const parsed = parseCidr(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    })
    .meta({ allowed: "an IPv4 CIDR block at its network address" })
    .describe(description);

/** The fields, each usable on its own (the stack config maps them to its keys). */
export const networkFields = {
  vnetAddressSpace: cidr("NET-1: the VNet's address space; both subnets lie inside it."),
  appsSubnetPrefix: cidr(
    "NET-1: the Container Apps subnet (delegated to Microsoft.App/environments, at least /27).",
  ),
  privateEndpointSubnetPrefix: cidr(
    "NET-1: the subnet of every private endpoint; must not overlap the apps subnet.",
  ),
  hasFrontend: z
    .boolean({ message: "must be true or false (NET-2)" })
    .describe(
      "NET-2: whether the apps subnet accepts HTTPS (443) from the Internet; the platform sets false (Front Door reaches apps over Private Link).",
    ),
};

type Issue = (path: PropertyKey[], message: string) => void;

/** Relations between the blocks (inside the space, no overlap, big enough), blamed on one key each. */
export function networkRules(plan: SubnetPlan, issue: Issue): void {
  // CIDR syntax is reported by the field schemas; only the plan's relations are added here.
  for (const problem of subnetPlanProblems(plan)) if (!problem.syntax) issue([problem.key], problem.message);
}

/** The component's schema for everything but the platform wiring. */
export const networkSettingsSchema = z
  .object({
    vnetAddressSpace: networkFields.vnetAddressSpace,
    appsSubnetPrefix: networkFields.appsSubnetPrefix,
    privateEndpointSubnetPrefix: networkFields.privateEndpointSubnetPrefix,
    hasFrontend: networkFields.hasFrontend,
  })
  .superRefine(
    (s, ctx) => {
      // Runs even when a field failed: relations between the blocks that did parse still count.
      const keys = ["vnetAddressSpace", "appsSubnetPrefix", "privateEndpointSubnetPrefix"] as const;
      if (keys.some((k) => typeof s[k] !== "string")) return;
      networkRules(s, (path, message) => ctx.addIssue({ code: "custom", path, message }));
    },
    { when: () => true },
  );
