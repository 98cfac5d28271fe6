/**
 * Jest harness for the pack's policies: runs one policy the way the Pulumi policy server
 * does (see `server.ts`): props behind `unknownCheckingProxy`, `notApplicable()` throwing,
 * config = the policy's `configSchema` defaults with the given config merged over them, stack
 * policies on linked `PolicyResource` objects.
 *
 * `runResourcePolicy` / `runStackPolicy` return "notApplicable" or the violation messages
 * (`[]` = pass). A policy that reads an UNKNOWN value is not a violation and not a crash: the
 * server reports an advisory "can't run during preview"; these functions then return the
 * violations reported before the read (usually `[]`). Use `checkResourcePolicy` /
 * `checkStackPolicy` to see the outcome ("pass" | "violation" | "notApplicable" | "unknown").
 */
import type { EnforcementLevel, PolicyResourceOptions } from "@pulumi/policy";
import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policy/lib/types";
import { schemaDefaults } from "../../lib/analyzer/config";
import {
  buildPolicyResources,
  deserializeProperties,
  resourceOptions,
  runResourceValidation,
  runStackValidation,
  UNKNOWN_SENTINEL,
  type RunResult,
} from "../../lib/analyzer/server";

/**
 * Put this anywhere in props to make that property unknown, as during `pulumi preview`
 * (it is the sentinel the engine sends and the SDK's proxy recognises).
 */
export const UNKNOWN: string = UNKNOWN_SENTINEL;

export interface HarnessResource {
  type: string;
  props: Record<string, unknown>;
  /** Defaults to "r". */
  name?: string;
  /** Defaults to `urn:pulumi:test::secure-azure-platform::<type>::<name>`. */
  urn?: string;
  opts?: Partial<PolicyResourceOptions>;
  /** The provider resource (e.g. its default `location`). */
  provider?: { type?: string; name?: string; urn?: string; props: Record<string, unknown> };
}

export interface HarnessStackResource extends HarnessResource {
  /** URN of the parent resource. */
  parent?: string;
  /** URNs this resource depends on. */
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  /** Shorthand for `opts.protect`. */
  protect?: boolean;
}

const defaultUrn = (type: string, name: string) => `urn:pulumi:test::secure-azure-platform::${type}::${name}`;

function policyConfig(
  policy: PlatformResourcePolicy | PlatformStackPolicy,
  config: Record<string, unknown> | undefined,
): { level: EnforcementLevel; properties: Record<string, unknown> } {
  const { enforcementLevel, ...properties } = config ?? {};
  const level = (enforcementLevel as EnforcementLevel | undefined) || policy.enforcementLevel || "mandatory";
  return { level, properties: { ...schemaDefaults(policy), ...properties } };
}

function request(r: HarnessResource) {
  const name = r.name ?? "r";
  const urn = r.urn ?? defaultUrn(r.type, name);
  const provider = r.provider
    ? {
        type: r.provider.type ?? "pulumi:providers:azure-native",
        name: r.provider.name ?? "default",
        urn: r.provider.urn ?? defaultUrn(r.provider.type ?? "pulumi:providers:azure-native", "default"),
        props: deserializeProperties(r.provider.props),
      }
    : undefined;
  return {
    type: r.type,
    name,
    urn,
    props: deserializeProperties(r.props),
    opts: resourceOptions(r.opts),
    provider,
  };
}

/** The server's full result for one resource policy on one resource. */
export function checkResourcePolicy(
  policy: PlatformResourcePolicy,
  resource: HarnessResource,
  config?: Record<string, unknown>,
): Promise<RunResult> {
  const { level, properties } = policyConfig(policy, config);
  return runResourceValidation(policy, request(resource), properties, level);
}

/**
 * A resource given without `propertyDependencies` stands for one whose SDK sent none: the engine
 * then makes every input depend on all of the resource's dependencies (pulumi/pulumi
 * pkg/resource/deploy/source_eval.go RegisterResource, `len(req.GetPropertyDependencies()) == 0`)
 * and the analyzer receives the non-empty lists (pkg/resource/plugin/analyzer_plugin.go). An
 * explicit `{}` is what an SDK that sends them does when no input depends on anything.
 */
function backfilled(r: HarnessStackResource): Record<string, string[]> {
  const dependencies = r.dependencies ?? [];
  if (dependencies.length === 0) return {};
  return Object.fromEntries(Object.keys(r.props).map((key) => [key, dependencies]));
}

/** The server's full result for one stack policy on a set of resources. */
export function checkStackPolicy(
  policy: PlatformStackPolicy,
  resources: HarnessStackResource[],
  config?: Record<string, unknown>,
): Promise<RunResult> {
  const { level, properties } = policyConfig(policy, config);
  const graph = buildPolicyResources(
    resources.map((r) => ({
      ...request({ ...r, opts: { ...r.opts, ...(r.protect !== undefined ? { protect: r.protect } : {}) } }),
      parent: r.parent,
      dependencies: r.dependencies ?? [],
      propertyDependencies: r.propertyDependencies ?? backfilled(r),
    })),
  );
  return runStackValidation(policy, graph, properties, level);
}

function messages(result: RunResult): "notApplicable" | string[] {
  return result.outcome === "notApplicable" ? "notApplicable" : result.diagnostics.map((d) => d.message);
}

/** Run a resource policy on one resource: "notApplicable" or its violation messages (`[]` = pass). */
export async function runResourcePolicy(
  policy: PlatformResourcePolicy,
  resource: HarnessResource,
  config?: Record<string, unknown>,
): Promise<"notApplicable" | string[]> {
  return messages(await checkResourcePolicy(policy, resource, config));
}

/** Run a stack policy on the resources (outputs): "notApplicable" or its violation messages. */
export async function runStackPolicy(
  policy: PlatformStackPolicy,
  resources: HarnessStackResource[],
  config?: Record<string, unknown>,
): Promise<"notApplicable" | string[]> {
  return messages(await checkStackPolicy(policy, resources, config));
}
