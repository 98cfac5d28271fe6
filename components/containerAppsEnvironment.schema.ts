/**
 * Dedicated workload profiles of the Container Apps environment: the `ContainerAppsEnvironment`
 * component parses its `workloadProfiles` argument with this schema, and the stack config's
 * `workloadProfiles` key is this schema.
 */
import { z } from "zod";
import { WORKLOAD_PROFILE_NAME, WORKLOAD_PROFILE_TYPE } from "../controls/limits";
import { named, strictArgs } from "./common/schema";
import type { SameType } from "./common/enums";

/** The serverless profile every environment has; apps without a profile run here. */
export const CONSUMPTION_PROFILE = "Consumption";

const count = (min: number) => {
  const message = `must be a whole number >= ${min}`;
  return z.number({ message }).int(message).min(min, message);
};

export const workloadProfileSchema = strictArgs(
  {
    name: named(WORKLOAD_PROFILE_NAME).describe(
      "1-15 letters, digits or '-', starting with a letter; not `Consumption`.",
    ),
    workloadProfileType: named(WORKLOAD_PROFILE_TYPE).describe(
      "Azure profile type: `D4`, `D8`, ..., `E4`, ..., `NC24-A100`, ...",
    ),
    minimumCount: count(0).describe("Nodes kept running (0 allowed)."),
    maximumCount: count(1).describe("Upper bound of nodes; >= minimumCount and >= 1."),
  },
  "a field of a workload profile",
).superRefine(
  (p, ctx) => {
    // Runs even when the profile itself is not an object (`[null]`): that is already reported.
    if (
      typeof p === "object" &&
      p !== null &&
      typeof p.minimumCount === "number" &&
      typeof p.maximumCount === "number" &&
      p.maximumCount < p.minimumCount
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["maximumCount"],
        message: `must be >= minimumCount (${p.minimumCount})`,
      });
    }
  },
  { when: () => true },
);

/** A dedicated workload profile (AVL-1 sizing); the schema above is its rule. */
export interface DedicatedWorkloadProfile {
  /** 1-15 letters, digits or '-', starting with a letter; not `Consumption`. */
  name: string;
  /** Azure profile type: `D4`, `D8`, ..., `E4`, ..., `NC24-A100`, ... */
  workloadProfileType: string;
  /** Nodes kept running (0 allowed). */
  minimumCount: number;
  /** Upper bound of nodes; >= minimumCount and >= 1. */
  maximumCount: number;
}
// Compile-time: the schema's output is exactly the interface.
const profileMatchesSchema: SameType<DedicatedWorkloadProfile, z.output<typeof workloadProfileSchema>> = true;
void profileMatchesSchema;

/** Every profile valid, names unique (case-insensitive) and never `Consumption`, which is always present. */
export const workloadProfilesSchema = z.array(workloadProfileSchema).superRefine(
  (profiles, ctx) => {
    if (!Array.isArray(profiles)) return;
    const seen = new Set<string>([CONSUMPTION_PROFILE.toLowerCase()]);
    profiles.forEach((p, i) => {
      const name = typeof p?.name === "string" ? p.name.toLowerCase() : undefined;
      if (name === undefined) return;
      if (seen.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `is used twice (${CONSUMPTION_PROFILE} is always present); profile names must be unique`,
        });
      }
      seen.add(name);
    });
  },
  { when: () => true },
);
