/** WorkloadIdentity (IAM-1): one user-assigned identity per workload. */
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity, type WorkloadIdentityArgs } from "../../components/workloadIdentity";
import { testPlatform } from "../helpers/platform";
import { only, runExpectingError, runProgram } from "../helpers/pulumi";

const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";

describe("WorkloadIdentity", () => {
  it("creates a tagged user-assigned identity and exposes id, name, clientId, principalId", async () => {
    let identity: WorkloadIdentity | undefined;
    const { resources } = await runProgram(() => {
      identity = new WorkloadIdentity("api-id", { platform: testPlatform(), purpose: "api" });
    });
    const r = only(resources, IDENTITY);
    expect(r.inputs).toEqual({
      resourceGroupName: "rg-sap-dev",
      location: "westeurope",
      resourceName: "id-sap-api-dev",
      tags: { ...testPlatform().tags, dataClassification: "internal" },
    });
    expect(r.parent).toBe(only(resources, "secure-azure-platform:index:WorkloadIdentity").urn);
    const value = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));
    expect(await value(identity!.id)).toBe(r.id);
    expect(await value(identity!.name)).toBe("id-sap-api-dev");
    expect(await value(identity!.clientId)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await value(identity!.principalId)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("can live in the paired region (geo-backup key identity)", async () => {
    const { resources } = await runProgram(
      () =>
        new WorkloadIdentity("geo", {
          platform: testPlatform(),
          purpose: "cmk-pg-geo",
          location: "northeurope",
        }),
    );
    expect(only(resources, IDENTITY).inputs.location).toBe("northeurope");
  });

  it("refuses an invalid purpose and protected tag overrides before registering", async () => {
    for (const [a, message] of [
      [{ platform: testPlatform(), purpose: "api/v1" }, /invalid userAssignedIdentity name/],
      [
        { platform: testPlatform(), purpose: "api", tags: { environment: "prod" } },
        /tags\.environment = "[^"]*": cannot be overridden/,
      ],
    ] as [WorkloadIdentityArgs, RegExp][]) {
      const { error, resources } = await runExpectingError(() => new WorkloadIdentity("x", a));
      expect(error.message).toMatch(message);
      expect(error.message).toContain('WorkloadIdentity "x"');
      expect(resources).toEqual([]);
    }
  });
});
