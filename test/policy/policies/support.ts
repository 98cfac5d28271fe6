/** Table helpers over the policy harness: set a property path, expect pass / violation / no crash. */
import { runResourcePolicy, UNKNOWN } from "../../helpers/policyHarness";
import { jsonClone, setPath } from "../../../lib/analyzer/paths";
import type { PlatformResourcePolicy } from "../../../policy/lib/types";
import { AzureMocks } from "../../../lib/offline/mocks";
import { createdOutputs } from "../../helpers/firstPreview";

export type Props = Record<string, unknown>;

/** A deep copy of `props` with `path` (dot-separated, numeric segments index arrays) set; undefined deletes it. */
export function set(props: Props, path: string, value: unknown): Props {
  const copy = jsonClone(props);
  setPath(copy, path, value);
  return copy;
}

export async function expectPass(
  policy: PlatformResourcePolicy,
  type: string,
  props: Props,
  config?: Record<string, unknown>,
): Promise<void> {
  expect(await runResourcePolicy(policy, { type, props, name: "r" }, config)).toEqual([]);
}

export async function expectViolation(
  policy: PlatformResourcePolicy,
  type: string,
  props: Props,
  message: RegExp,
  config?: Record<string, unknown>,
): Promise<void> {
  const result = await runResourcePolicy(policy, { type, props, name: "r" }, config);
  expect(result).not.toBe("notApplicable");
  expect((result as string[]).some((m) => message.test(m))).toBe(true);
}

/** The property at `path` unknown (preview): the policy must not throw anything but the harness's unknown handling. */
export async function expectNoCrashOnUnknown(
  policy: PlatformResourcePolicy,
  type: string,
  props: Props,
  path: string,
): Promise<void> {
  const result = await runResourcePolicy(policy, { type, props: set(props, path, UNKNOWN), name: "r" });
  expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
}

/**
 * Every case: compliant props pass, each mutation is a violation whose message matches, an
 * unknown value does not crash, other types are not applicable.
 */
export function describePolicy(
  policy: PlatformResourcePolicy,
  spec: {
    type: string;
    compliant: Props;
    config?: Record<string, unknown>;
    violations: [path: string, value: unknown, message: RegExp][];
    passes?: [path: string, value: unknown][];
    unknown: string;
  },
): void {
  describe(policy.name, () => {
    it("passes the compliant resource", () => expectPass(policy, spec.type, spec.compliant, spec.config));
    if (spec.violations.length) {
      it.each(spec.violations)("blocks %s = %p", (path, value, message) =>
        expectViolation(policy, spec.type, set(spec.compliant, path, value), message, spec.config),
      );
    }
    if (spec.passes?.length) {
      it.each(spec.passes)("accepts %s = %p", (path, value) =>
        expectPass(policy, spec.type, set(spec.compliant, path, value), spec.config),
      );
    }
    it(`does not crash when ${spec.unknown} is unknown`, () =>
      expectNoCrashOnUnknown(policy, spec.type, spec.compliant, spec.unknown));
    it("is not applicable to other types", async () => {
      expect(
        await runResourcePolicy(policy, { type: "azure-native:compute:VirtualMachine", props: {} }),
      ).toBe("notApplicable");
    });
  });
}

/**
 * A resource as a stack-policy test hands it to the harness: `type` without the `azure-native:`
 * prefix, a URN in the prod stack, optional explicit dependencies.
 */
export function stackResource(type: string, name: string, props: Props, dependencies: string[] = []) {
  const full = `azure-native:${type}`;
  return {
    type: full,
    name,
    urn: `urn:pulumi:prod::secure-azure-platform::${full}::${name}`,
    props,
    dependencies,
  };
}

/**
 * An Azure resource as a stack policy sees it on a deployed stack: the outputs the offline mocks
 * answer for `inputs` (azure-native's shape, lib/offline/sdkOutputs.ts: no ARM path parameters),
 * with no propertyDependencies (literal names). `importId` for what Azure already has.
 */
export function deployedResource(type: string, name: string, inputs: Props, importId?: string) {
  const args = { type: `azure-native:${type}`, name, inputs, custom: true, id: importId };
  return stackResource(type, name, new AzureMocks().newResource(args).state);
}

/**
 * A resource of the stack that is no Azure resource (a random string): what a value computed at
 * deploy time (preview: not known yet) may come from without being any destination.
 */
export function randomString(name = "salt") {
  const type = "random:index/randomString:RandomString";
  return { type, name, urn: `urn:pulumi:prod::secure-azure-platform::${type}::${name}`, props: {} };
}

/**
 * An Azure resource being created, as a stack policy sees it in a real first preview: azure-native's
 * PreviewOutputs (`createdOutputs` in test/helpers/firstPreview.ts: the response's properties only,
 * an input echoed where an output has its name, every other output and the ID unknown, no ARM path
 * parameter), with the non-empty propertyDependencies the engine sends (keyed by input name).
 */
export function previewResource(
  type: string,
  name: string,
  inputs: Props,
  propertyDependencies: Record<string, string[]> = {},
  importId?: string,
) {
  const full = `azure-native:${type}`;
  const deployed = new AzureMocks().newResource({
    type: full,
    name,
    inputs,
    custom: true,
    id: importId,
  }).state;
  const props = createdOutputs(full, inputs, deployed);
  return { ...stackResource(type, name, props), propertyDependencies };
}
