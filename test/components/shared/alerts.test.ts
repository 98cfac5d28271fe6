/** MON-1: metric alerts routed to the platform action group. */
import {
  addMetricAlerts,
  checkMetricAlertSpecs,
  type MetricAlertSpec,
} from "../../../components/common/alerts";
import { testPlatform } from "../../helpers/platform";
import { byType, only, runExpectingError, runProgram } from "../../helpers/pulumi";

const ALERT = "azure-native:monitor:MetricAlert";
const TARGET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
const spec: MetricAlertSpec = {
  name: "availability",
  description: "Key Vault availability dropped",
  metricNamespace: "Microsoft.KeyVault/vaults",
  metricName: "Availability",
  operator: "LessThan",
  threshold: 99.9,
  aggregation: "Average",
  severity: 1,
};

describe("addMetricAlerts", () => {
  it("creates a global single-resource metric alert to the action group", async () => {
    const platform = testPlatform();
    const { resources } = await runProgram(() => addMetricAlerts("kv", TARGET, [spec], platform, {}));
    const alert = only(resources, ALERT);
    expect(alert.inputs).toEqual({
      resourceGroupName: platform.resourceGroupName,
      ruleName: "alert-sap-kv-availability-dev",
      location: "global",
      description: "Key Vault availability dropped (MON-1)",
      enabled: true,
      severity: 1,
      scopes: [TARGET],
      evaluationFrequency: "PT5M",
      windowSize: "PT15M",
      autoMitigate: true,
      criteria: {
        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
        allOf: [
          {
            criterionType: "StaticThresholdCriterion",
            name: "availability",
            metricNamespace: "Microsoft.KeyVault/vaults",
            metricName: "Availability",
            operator: "LessThan",
            threshold: 99.9,
            timeAggregation: "Average",
          },
        ],
      },
      actions: [{ actionGroupId: platform.actionGroupId }],
      tags: { ...platform.tags, dataClassification: "internal" },
    });
  });

  it("one alert per spec, with custom window and frequency", async () => {
    const { resources } = await runProgram(() =>
      addMetricAlerts(
        "pg",
        TARGET,
        [
          { ...spec, name: "cpu", windowSize: "PT1H", frequency: "PT15M" },
          { ...spec, name: "storage" },
        ],
        testPlatform(),
        {},
      ),
    );
    const alerts = byType(resources, ALERT);
    expect(alerts.map((a) => a.name)).toEqual(["pg-cpu", "pg-storage"]);
    expect(alerts[0].inputs).toMatchObject({ windowSize: "PT1H", evaluationFrequency: "PT15M" });
  });

  it.each([
    [{ windowSize: "PT10M" }, /windowSize "PT10M" must be one of PT1M, PT5M/],
    [{ frequency: "PT2H" }, /frequency "PT2H" must be one of/],
    [{ windowSize: "PT5M", frequency: "PT15M" }, /frequency PT15M must not be longer than windowSize PT5M/],
    [{ name: "Bad Name" }, /name must be kebab-case/],
    [{ threshold: Number.NaN }, /threshold must be a number/],
  ] as const)("refuses %j before registering", async (override, message) => {
    const { error, resources } = await runExpectingError(() =>
      addMetricAlerts("kv", TARGET, [{ ...spec, ...override }], testPlatform(), {}),
    );
    expect(error.message).toMatch(message);
    expect(resources).toEqual([]);
  });

  it("refuses duplicate names", () => {
    expect(() => checkMetricAlertSpecs("X", [spec, spec])).toThrow(/name is used twice/);
  });
});
