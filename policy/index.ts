// The pack itself: the policy list and the pack's metadata (tests import the policies, never
// this file: constructing a PolicyPack starts the policy server).
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packInfo } from "./lib/packInfo";
import { platformPolicies } from "./policies";

new PolicyPack(PACK_NAME, {
  policies: platformPolicies,
  enforcementLevel: "mandatory",
  ...packInfo(platformPolicies),
});
