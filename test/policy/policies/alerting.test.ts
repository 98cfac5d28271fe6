import * as a from "../../../policy/policies/alerting";
import { checkStackPolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { describePolicy, stackResource } from "./support";

const RG = "/subscriptions/s/resourceGroups/rg";
const ids = {
  vault: `${RG}/providers/Microsoft.KeyVault/vaults/kv1`,
  server: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`,
  app: `${RG}/providers/Microsoft.App/containerApps/web`,
  group: `${RG}/providers/Microsoft.Insights/actionGroups/ag`,
};
const alert = {
  ruleName: "alert-kv-availability",
  enabled: true,
  severity: 1,
  scopes: [ids.vault],
  actions: [{ actionGroupId: ids.group }],
};

describePolicy(a.metricAlertRouted, {
  type: "azure-native:monitor:MetricAlert",
  compliant: alert,
  violations: [
    ["enabled", false, /never fire/],
    ["scopes", [], /watches nothing/],
    ["actions", [], /nobody would be notified/],
    ["actions", undefined, /nobody would be notified/],
    ["actions.0.actionGroupId", "  ", /nobody would be notified/],
  ],
  unknown: "actions",
});

describePolicy(a.actionGroupReachesSomeone, {
  type: "azure-native:monitor:ActionGroup",
  compliant: {
    actionGroupName: "ag",
    groupShortName: "sapprod",
    enabled: true,
    emailReceivers: [{ name: "oncall", emailAddress: "oncall@example.com" }],
  },
  violations: [
    ["enabled", false, /alerts would be dropped/],
    ["enabled", undefined, /alerts would be dropped/],
    ["emailReceivers", [], /no receiver/],
  ],
  passes: [["webhookReceivers", [{ name: "pager", serviceUri: "https://pager.example.com/hook" }]]],
  unknown: "emailReceivers",
});

describe("critical-resources-alerted", () => {
  const res = stackResource;
  const alertOn = (name: string, scope: string, extra: Record<string, unknown> = {}) =>
    res("monitor:MetricAlert", name, { ...alert, scopes: [scope], ...extra });
  const group = res("monitor:ActionGroup", "ag", { id: ids.group, location: "global" });
  const estate = () => [
    group,
    res("keyvault:Vault", "kv", { id: ids.vault }),
    res("dbforpostgresql:Server", "pg", { id: ids.server }),
    res("app:ContainerApp", "web", { id: ids.app }),
    alertOn("kv-availability", ids.vault),
    alertOn("pg-cpu", ids.server),
    alertOn("web-restarts", ids.app),
  ];

  it("passes when every watched resource has a routed alert", async () => {
    expect(await runStackPolicy(a.criticalResourcesAlerted, estate())).toEqual([]);
  });
  it("names a resource without an alert", async () => {
    expect(
      await runStackPolicy(
        a.criticalResourcesAlerted,
        estate().filter((r) => r.name !== "pg-cpu"),
      ),
    ).toEqual([expect.stringMatching(/dbforpostgresql:Server pg has no enabled metric alert/)]);
  });
  it("does not count a disabled or unrouted alert", async () => {
    const resources = estate().map((r) =>
      r.name === "kv-availability"
        ? alertOn("kv-availability", ids.vault, { enabled: false })
        : r.name === "web-restarts"
          ? alertOn("web-restarts", ids.app, { actions: [] })
          : r,
    );
    const result = await runStackPolicy(a.criticalResourcesAlerted, resources);
    expect(result).toHaveLength(2);
  });
  it("matches alerts to resources through dependencies when IDs are unknown (preview)", async () => {
    const resources = [
      res("keyvault:Vault", "kv", { id: UNKNOWN }),
      group,
      res("monitor:MetricAlert", "kv-availability", { ...alert, scopes: [UNKNOWN] }, [
        "urn:pulumi:prod::secure-azure-platform::azure-native:keyvault:Vault::kv",
      ]),
    ];
    // The policy must run to a pass (an unknown read would end it as "unknown" with no messages).
    expect((await checkStackPolicy(a.criticalResourcesAlerted, resources)).outcome).toBe("pass");
    const unlinked = [resources[0], group, { ...resources[2], dependencies: [] }];
    expect(await runStackPolicy(a.criticalResourcesAlerted, unlinked)).toEqual([
      expect.stringMatching(/keyvault:Vault kv has no enabled metric alert/),
    ]);
  });
  it("does not count an alert routed only to another environment's action group", async () => {
    const foreign =
      "/subscriptions/other/resourceGroups/rg-sap-dev/providers/Microsoft.Insights/actionGroups/ag";
    const resources = estate().map((r) =>
      r.name === "pg-cpu" ? alertOn("pg-cpu", ids.server, { actions: [{ actionGroupId: foreign }] }) : r,
    );
    expect(await runStackPolicy(a.criticalResourcesAlerted, resources)).toEqual([
      expect.stringMatching(/Server pg has no enabled metric alert routed to an action group/),
    ]);
  });
  it("takes the watched types from config", async () => {
    expect(
      await runStackPolicy(a.criticalResourcesAlerted, [res("app:ContainerApp", "web", { id: ids.app })], {
        resourceTypes: ["azure-native:keyvault:Vault"],
      }),
    ).toEqual([]);
  });
});

describe("alert-routes-in-stack", () => {
  const res = stackResource;
  const group = res("monitor:ActionGroup", "ag", { id: ids.group, location: "global" });
  const foreign =
    "/subscriptions/other/resourceGroups/rg-sap-dev/providers/Microsoft.Insights/actionGroups/ag";
  const routedTo = (actionGroupId: unknown, deps: string[] = []) => [
    group,
    res("monitor:MetricAlert", "al", { ...alert, actions: [{ actionGroupId }] }, deps),
  ];

  it("passes an alert routed to the stack's action group", async () => {
    expect(await runStackPolicy(a.alertRoutesInStack, routedTo(ids.group))).toEqual([]);
  });
  it("flags an alert routed to another environment's action group", async () => {
    expect(await runStackPolicy(a.alertRoutesInStack, routedTo(foreign))).toEqual([
      expect.stringMatching(/actionGroupId .*rg-sap-dev.* is not a resource of this stack/),
    ]);
  });
  it("accepts a reviewed shared group on allowedDestinations", async () => {
    expect(
      await runStackPolicy(a.alertRoutesInStack, routedTo(foreign), { allowedDestinations: [foreign] }),
    ).toEqual([]);
  });
  it("in a preview, accepts a group ID that comes from the stack's action group only", async () => {
    expect(await runStackPolicy(a.alertRoutesInStack, routedTo(UNKNOWN, [group.urn]))).toEqual([]);
    expect(await runStackPolicy(a.alertRoutesInStack, routedTo(UNKNOWN))).toEqual([
      expect.stringMatching(/not known yet and does not come from a resource of this stack/),
    ]);
  });
});

describe("alert-routes-in-stack: action group receivers", () => {
  const group = (props: Record<string, unknown>) => ({
    type: "azure-native:monitor:ActionGroup",
    name: "ag",
    urn: "urn:pulumi:prod::p::azure-native:monitor:ActionGroup::ag",
    props: { id: ids.group, location: "global", enabled: true, ...props },
  });
  const rg = { type: "azure-native:resources:ResourceGroup", name: "rg", urn: "urn:rg", props: { id: RG } };
  it.each([
    [
      {
        logicAppReceivers: [
          {
            name: "x",
            resourceId: "/subscriptions/o/resourceGroups/r/providers/Microsoft.Logic/workflows/w",
            callbackUrl: "https://x",
          },
        ],
      },
      /logicAppReceivers/,
    ],
    [
      {
        eventHubReceivers: [{ name: "x", subscriptionId: "o", eventHubNameSpace: "ns", eventHubName: "eh" }],
      },
      /subscription "o"/,
    ],
  ])("refuses %j", async (props, message) => {
    expect(((await runStackPolicy(a.alertRoutesInStack, [rg, group(props)])) as string[]).join("\n")).toMatch(
      message,
    );
  });
  const fn = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/func-own";
  const site = { type: "azure-native:web:WebApp", name: "func-own", urn: "urn:site", props: { id: fn } };
  it.each([
    [
      { webhookReceivers: [{ name: "x", serviceUri: "https://collector.attacker.example/in" }] },
      /collector.attacker.example, not an allowed alert endpoint/,
    ],
    [{ webhookReceivers: [{ name: "x", serviceUri: "http://pager.example.com/hook" }] }, /is not https/],
    [
      {
        logicAppReceivers: [
          {
            name: "x",
            resourceId: `${RG}/providers/Microsoft.Logic/workflows/w`,
            callbackUrl:
              "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke",
          },
        ],
      },
      /callbackUrl .* posts alerts to prod-01.westeurope.logic.azure.com/,
    ],
    [
      {
        azureFunctionReceivers: [
          {
            name: "x",
            functionAppResourceId: fn,
            functionName: "f",
            httpTriggerUrl: "https://func-other.azurewebsites.net/api/f",
          },
        ],
      },
      /httpTriggerUrl .* func-other.azurewebsites.net/,
    ],
  ])("refuses the receiver URL in %j", async (props, message) => {
    expect(((await runStackPolicy(a.alertRoutesInStack, [rg, group(props)])) as string[]).join("\n")).toMatch(
      message,
    );
  });
  it("accepts a reviewed webhook host and the stack's own function app host", async () => {
    const props = {
      webhookReceivers: [{ name: "x", serviceUri: "https://Pager.example.com/hook" }],
      azureFunctionReceivers: [
        {
          name: "y",
          functionAppResourceId: fn,
          functionName: "f",
          httpTriggerUrl: "https://func-own.azurewebsites.net/api/f",
        },
      ],
    };
    expect(
      await runStackPolicy(a.alertRoutesInStack, [rg, site, group(props)], {
        allowedAlertEndpoints: ["pager.example.com"],
      }),
    ).toEqual([]);
  });
  it("accepts an event hub receiver in the stack's subscription", async () => {
    const props = {
      eventHubReceivers: [{ name: "x", subscriptionId: "s", eventHubNameSpace: "ns", eventHubName: "eh" }],
    };
    expect(await runStackPolicy(a.alertRoutesInStack, [rg, group(props)])).toEqual([]);
  });
});
