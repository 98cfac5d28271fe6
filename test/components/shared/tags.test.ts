/** CLS-1 tags: the four protected tags on everything, never overridable by extras. */
import { PROTECTED_TAGS, componentTags } from "../../../components/common/tags";
import { testPlatform } from "../../helpers/platform";

describe("componentTags", () => {
  const platform = testPlatform();

  it("carries environment, owner, costCenter and the classification", () => {
    expect(componentTags(platform, "customer-confidential")).toEqual({
      environment: "dev",
      owner: "platform-team",
      costCenter: "cc-1234",
      dataClassification: "customer-confidential",
    });
  });

  it("adds extra tags", () => {
    expect(componentTags(platform, "internal", { service: "api" })).toMatchObject({
      service: "api",
      dataClassification: "internal",
    });
  });

  it.each(PROTECTED_TAGS.map((t) => [t]))("refuses an extra tag overriding %s", (key) => {
    expect(() => componentTags(platform, "internal", { [key]: "x" })).toThrow(
      new RegExp(`tags\\.${key} = "x": cannot be overridden: .*\\(CLS-1\\)`),
    );
  });

  it("refuses case variants (Azure tag names are case-insensitive)", () => {
    expect(() => componentTags(platform, "customer-confidential", { DataClassification: "public" })).toThrow(
      /tags\.DataClassification = "[^"]*": cannot be overridden/,
    );
    expect(() => componentTags(platform, "internal", { OWNER: "me" })).toThrow(
      /tags\.OWNER = "[^"]*": cannot be overridden/,
    );
  });

  it("names the component in the error when given", () => {
    expect(() => componentTags(platform, "internal", { owner: "me" }, 'KeyVault "kv"')).toThrow(
      /^KeyVault "kv": invalid arguments \(1 problem\):\n {2}- tags\.owner = "me": cannot be overridden/,
    );
  });

  it("refuses a platform whose base tags are incomplete", () => {
    const { costCenter: _omitted, ...rest } = platform.tags;
    expect(() => componentTags({ tags: rest }, "internal")).toThrow(
      /platform\.tags\.costCenter = \(not set\): is missing/,
    );
  });

  it("refuses an unknown classification", () => {
    // @ts-expect-error only the four CLS-1 classes exist
    expect(() => componentTags(platform, "secret")).toThrow(
      /dataClassification = "secret": must be one of public, internal/,
    );
  });
});
