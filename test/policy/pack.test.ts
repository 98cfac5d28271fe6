/**
 * The pack as `pulumi preview --policy-pack policy` runs it: the SDK's policy-pack runner
 * (`@pulumi/pulumi/cmd/run-policy-pack <engine> .` in policy/, what the CLI's Node.js language host
 * starts) loads the package's `main`, the compiled pack (policy/pack.js), which serves
 * @pulumi/policy's gRPC analyzer and prints the port the CLI reads; then it is spoken to over gRPC
 * like the engine does: analyzer info, configuration with a preset, and analysis of a compliant
 * and a noncompliant resource. No Pulumi CLI needed.
 */
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { sharedPlan } from "../helpers/plans";
import { loadPackConfig } from "../../lib/analyzer/config";
import { frameworkMetadata } from "../../policy/lib/frameworks";
import { platformPolicies } from "../../policy/policies";

const ROOT = path.join(__dirname, "..", "..");
let pack: ChildProcess;
let client: analyzerGrpc.AnalyzerClient;

function unary<Req, Res>(
  method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
) {
  return new Promise<Res>((resolve, reject) =>
    method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

beforeAll(async () => {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", {
    paths: [path.join(ROOT, "policy")],
  });
  // The engine address is not dialled while the pack starts and analyzes.
  pack = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
    cwd: path.join(ROOT, "policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    pack.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(out);
      if (line) resolve(line[1]);
    });
    pack.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    pack.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${err}`)));
  });
  client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

function request(type: string, name: string, props: Record<string, unknown>): analyzerPb.AnalyzeRequest {
  const req = new analyzerPb.AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:prod::secure-azure-platform::${type}::${name}`);
  req.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
  req.setOptions(new analyzerPb.AnalyzerResourceOptions());
  return req;
}

describe("the policy pack served over gRPC", () => {
  it("describes itself with every policy, mandatory, with config schemas", async () => {
    const info = await unary<Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe("secure-azure-platform");
    const policies = info.getPoliciesList();
    expect(policies.map((p) => p.getName()).sort()).toEqual(platformPolicies.map((p) => p.name).sort());
    for (const p of policies) {
      expect(p.getEnforcementlevel()).toBe(analyzerPb.EnforcementLevel.MANDATORY);
      expect(p.getDescription().length).toBeGreaterThan(20);
    }
    const retention = policies.find((p) => p.getName() === "log-analytics-retention")!;
    expect(JSON.stringify(retention.getConfigschema()?.getProperties()?.toJavaScript())).toContain(
      '"default":365',
    );
  });

  it("carries Pulumi's pack metadata: display name, provider, tags and a readme listing every policy", async () => {
    const info = await unary<Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getDisplayname()).toBe("Secure Azure Platform");
    expect(info.getProvider()).toBe("azure");
    expect(info.getTagsList()).toEqual(expect.arrayContaining(["azure", "soc2", "gdpr"]));
    for (const p of platformPolicies) expect(info.getReadme()).toContain(`| \`${p.name}\` |`);
  });

  it("gives every policy its framework, url and tags from the control mapping", async () => {
    const info = await unary<Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    const byName = new Map(platformPolicies.map((p) => [p.name, p]));
    for (const served of info.getPoliciesList()) {
      const policy = byName.get(served.getName())!;
      const expected = frameworkMetadata(policy.controls);
      const fw = served.getFramework();
      expect({
        name: fw?.getName(),
        version: fw?.getVersion(),
        reference: fw?.getReference(),
        specification: fw?.getSpecification(),
      }).toEqual(expected.framework);
      expect(fw?.getReference()).not.toBe("");
      expect(served.getUrl()).toBe(expected.url);
      expect(served.getTagsList()).toEqual([...policy.controls, ...expected.tags]);
      expect(served.getRemediationSteps()).toBe(policy.remediation);
    }
    // One example spelled out: TLS maps to SOC 2 CC6.7 (and GDPR Art. 32 and 25 as tags).
    const tls = info.getPoliciesList().find((p) => p.getName() === "storage-account-tls")!;
    expect(tls.getFramework()?.getName()).toBe("SOC 2");
    expect(tls.getFramework()?.getReference()).toContain("CC6.7");
    expect(tls.getTagsList()).toEqual(expect.arrayContaining(["TLS-1", "SOC 2 CC6.7", "GDPR Art. 32"]));
  });

  it("accepts the prod preset as the CLI sends it (--policy-pack-config)", async () => {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(loadPackConfig("prod"))) {
      if (name === "all") continue;
      const cfg = new analyzerPb.PolicyConfig();
      cfg.setEnforcementlevel(analyzerPb.EnforcementLevel.MANDATORY);
      cfg.setProperties(Struct.fromJavaScript(typeof entry === "object" ? (entry as never) : {}));
      map.set(name, cfg);
    }
    await expect(unary(client.configure, req)).resolves.toBeDefined();
  });

  describe("analyze (resource policies on a resource's inputs)", () => {
    let account: Record<string, unknown>;
    beforeAll(async () => {
      const plan = await sharedPlan("prod");
      account = plan.resources.find((r) => r.type === "azure-native:storage:StorageAccount")!.inputs;
    }, 60_000);

    it("passes the prod plan's storage account", async () => {
      const res = await unary<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(
        client.analyze,
        request("azure-native:storage:StorageAccount", "storage-account", account),
      );
      expect(res.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`)).toEqual([]);
    });

    it("blocks the same account with TLS 1.0 and shared keys, as mandatory", async () => {
      const res = await unary<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(
        client.analyze,
        request("azure-native:storage:StorageAccount", "storage-account", {
          ...account,
          minimumTlsVersion: "TLS1_0",
          allowSharedKeyAccess: true,
        }),
      );
      const found = res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()]);
      expect(found).toEqual(
        expect.arrayContaining([
          ["storage-account-tls", analyzerPb.EnforcementLevel.MANDATORY],
          ["storage-account-entra-only-auth", analyzerPb.EnforcementLevel.MANDATORY],
        ]),
      );
    });

    it("judges the legacy alias token too", async () => {
      const res = await unary<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(
        client.analyze,
        request("azure-native:cache:Redis", "legacy", { location: "westeurope", enableNonSslPort: true }),
      );
      expect(res.getDiagnosticsList().map((d) => d.getPolicyname())).toEqual(
        expect.arrayContaining(["redis-cache-legacy", "redis-cache-secure"]),
      );
    });
  });
});
