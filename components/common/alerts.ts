/**
 * MON-1: metric alerts on a resource's critical signals, routed to the platform action group.
 * Components declare what to watch; this helper knows how Azure Monitor wants it said.
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import type { PlatformContext } from "./interfaces";
import { resourceName } from "./naming";
import { componentTags } from "./tags";

export interface MetricAlertSpec {
  /** Short kebab-case name, unique within the owner. */
  name: string;
  description: string;
  metricNamespace: string;
  metricName: string;
  operator: "GreaterThan" | "LessThan" | "GreaterThanOrEqual" | "LessThanOrEqual";
  threshold: number;
  aggregation: "Average" | "Maximum" | "Minimum" | "Total" | "Count";
  severity: 0 | 1 | 2 | 3 | 4;
  /** ISO 8601 duration, one of Azure's window sizes (PT1M..P1D). Default PT15M. */
  windowSize?: string;
  /** ISO 8601 duration, one of Azure's frequencies (PT1M..PT1H). Default PT5M. */
  frequency?: string;
  /** Only count the metric where these dimensions have these values (e.g. WAF `Action` = `Block`). */
  dimensions?: { name: string; values: string[] }[];
}

/** Azure Monitor metric alerts accept exactly these (minutes). */
export const ALERT_WINDOW_SIZES: Readonly<Record<string, number>> = {
  PT1M: 1,
  PT5M: 5,
  PT15M: 15,
  PT30M: 30,
  PT1H: 60,
  PT6H: 360,
  PT12H: 720,
  P1D: 1440,
};
export const ALERT_FREQUENCIES: Readonly<Record<string, number>> = {
  PT1M: 1,
  PT5M: 5,
  PT15M: 15,
  PT30M: 30,
  PT1H: 60,
};

/**
 * Throws if any spec is malformed (call before `super()` to register nothing). The specs are
 * written in the components' own code, never taken from a caller, so a failure is a bug in
 * this package: plain `Error`s, with the stack trace that helps find it.
 */
export function checkMetricAlertSpecs(owner: string, specs: readonly MetricAlertSpec[]): void {
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    const where = `${owner}: alert ${i} ("${spec.name}")`;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(spec.name)) throw new Error(`${where}: name must be kebab-case`);
    if (seen.has(spec.name)) throw new Error(`${where}: name is used twice`);
    seen.add(spec.name);
    const window = spec.windowSize ?? "PT15M";
    const frequency = spec.frequency ?? "PT5M";
    if (!(window in ALERT_WINDOW_SIZES)) {
      throw new Error(
        `${where}: windowSize "${window}" must be one of ${Object.keys(ALERT_WINDOW_SIZES).join(", ")}`,
      );
    }
    if (!(frequency in ALERT_FREQUENCIES)) {
      throw new Error(
        `${where}: frequency "${frequency}" must be one of ${Object.keys(ALERT_FREQUENCIES).join(", ")}`,
      );
    }
    if (ALERT_FREQUENCIES[frequency] > ALERT_WINDOW_SIZES[window]) {
      throw new Error(`${where}: frequency ${frequency} must not be longer than windowSize ${window}`);
    }
    if (!Number.isFinite(spec.threshold)) throw new Error(`${where}: threshold must be a number`);
    if (![0, 1, 2, 3, 4].includes(spec.severity)) throw new Error(`${where}: severity must be 0..4`);
  });
}

/**
 * One metric alert per spec on `resourceId`, notifying the platform action group. The Azure
 * rule name is `alert-<prefix>-<owner>-<spec>-<env>`.
 */
export function addMetricAlerts(
  owner: string,
  resourceId: pulumi.Input<string>,
  specs: MetricAlertSpec[],
  platform: Pick<
    PlatformContext,
    "resourceGroupName" | "actionGroupId" | "tags" | "namePrefix" | "environment"
  >,
  opts: pulumi.CustomResourceOptions,
): monitor.MetricAlert[] {
  checkMetricAlertSpecs(owner, specs);
  return specs.map(
    (spec) =>
      new monitor.MetricAlert(
        `${owner}-${spec.name}`,
        {
          resourceGroupName: platform.resourceGroupName,
          ruleName: resourceName(platform, "metricAlert", `${owner}-${spec.name}`),
          // Metric alert rules are global resources; the scope's region does not apply.
          location: "global",
          description: `${spec.description} (MON-1)`,
          enabled: true,
          severity: spec.severity,
          scopes: [resourceId],
          evaluationFrequency: spec.frequency ?? "PT5M",
          windowSize: spec.windowSize ?? "PT15M",
          autoMitigate: true,
          criteria: {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [
              {
                criterionType: "StaticThresholdCriterion",
                name: spec.name,
                metricNamespace: spec.metricNamespace,
                metricName: spec.metricName,
                operator: spec.operator,
                threshold: spec.threshold,
                timeAggregation: spec.aggregation,
                ...(spec.dimensions
                  ? {
                      dimensions: spec.dimensions.map((d) => ({
                        name: d.name,
                        operator: "Include",
                        values: d.values,
                      })),
                    }
                  : {}),
              },
            ],
          },
          actions: [{ actionGroupId: platform.actionGroupId }],
          tags: componentTags(platform, "internal"),
        },
        opts,
      ),
  );
}
