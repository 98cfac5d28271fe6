// The pack itself: nothing but the policy list (tests import the policies, never this file:
// constructing a PolicyPack starts the policy server).
import { PolicyPack } from "@pulumi/policy";
import { platformPolicies } from "./policies";

new PolicyPack("secure-azure-platform", { policies: platformPolicies, enforcementLevel: "mandatory" });
