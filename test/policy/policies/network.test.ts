import * as n from "../../../policy/policies/network";
import { describePolicy, expectPass, expectViolation } from "./support";

const RULE = "azure-native:network:SecurityRule";
const https = {
  networkSecurityGroupName: "nsg",
  name: "allow-https-from-internet",
  priority: 100,
  direction: "Inbound",
  access: "Allow",
  protocol: "Tcp",
  sourceAddressPrefix: "Internet",
  sourcePortRange: "*",
  destinationAddressPrefix: "10.20.0.0/23",
  destinationPortRange: "443",
};

describePolicy(n.nsgNoInternetInbound, {
  type: RULE,
  compliant: https,
  violations: [
    ["destinationPortRange", "22", /port\(s\) 22/],
    ["destinationPortRange", "*", /port\(s\) \*/],
    ["destinationPortRange", "80", /port\(s\) 80/],
    ["destinationPortRanges", ["443", "3389"], /3389/],
  ],
  passes: [
    ["sourceAddressPrefix", "VirtualNetwork"],
    ["sourceAddressPrefix", "0.0.0.0/0"],
    ["access", "Deny"],
    ["direction", "Outbound"],
  ],
  unknown: "sourceAddressPrefix",
});

describe("nsg-no-internet-inbound on address ranges that span the internet", () => {
  const ssh = { ...https, name: "ssh", destinationPortRange: "22" };
  it.each([[["0.0.0.0/1", "128.0.0.0/1"]], [["10.0.0.0/7"]], [["2000::/3"]], [["::/1", "8000::/1"]]])(
    "refuses %j",
    (prefixes) =>
      expectViolation(
        n.nsgNoInternetInbound,
        RULE,
        { ...ssh, sourceAddressPrefix: undefined, sourceAddressPrefixes: prefixes },
        /port\(s\) 22/,
      ),
  );
  it.each([
    ["10.0.0.0/8"],
    ["172.16.0.0/12"],
    ["192.168.0.0/16"],
    ["fd00::/8"],
    ["fc00::/7"],
    ["203.0.113.0/24"],
  ])("accepts the narrower or private range %s", (prefix) =>
    expectPass(n.nsgNoInternetInbound, RULE, { ...ssh, sourceAddressPrefix: prefix }),
  );
});

describe("nsg-no-internet-inbound on inline rules", () => {
  const NSG = "azure-native:network:NetworkSecurityGroup";
  it("checks every inline rule", () =>
    expectViolation(
      n.nsgNoInternetInbound,
      NSG,
      {
        securityRules: [
          https,
          { ...https, name: "ssh", sourceAddressPrefix: "*", destinationPortRange: "22" },
        ],
      },
      /"ssh"/,
    ));
  it("accepts the platform's NSG shape", () =>
    expectPass(n.nsgNoInternetInbound, NSG, {
      securityRules: [
        https,
        { ...https, name: "lb", sourceAddressPrefix: "AzureLoadBalancer", destinationPortRange: "*" },
      ],
    }));
});

const SUBNET = "azure-native:network:Subnet";
describePolicy(n.subnetHasNsg, {
  type: SUBNET,
  compliant: {
    virtualNetworkName: "v",
    subnetName: "apps",
    addressPrefix: "10.0.0.0/24",
    networkSecurityGroup: { id: "/nsg/1" },
  },
  violations: [["networkSecurityGroup", undefined, /no networkSecurityGroup/]],
  passes: [["subnetName", "GatewaySubnet"]],
  unknown: "networkSecurityGroup",
});

it("subnet-has-nsg checks inline subnets of a virtual network", () =>
  expectViolation(
    n.subnetHasNsg,
    "azure-native:network:VirtualNetwork",
    { subnets: [{ name: "a", addressPrefix: "10.0.0.0/24" }] },
    /"a"/,
  ));

describePolicy(n.publicIpRestricted, {
  type: "azure-native:network:PublicIPAddress",
  compliant: { publicIpAddressName: "agw-pip" },
  config: { allowedPublicIps: ["agw-pip"] },
  violations: [["publicIpAddressName", "other", /not in allowedPublicIps/]],
  unknown: "publicIpAddressName",
});

it("public-ip-restricted refuses every public IP by default", () =>
  expectViolation(
    n.publicIpRestricted,
    "azure-native:network:PublicIPAddress",
    { publicIpAddressName: "x" },
    /allowedPublicIps/,
  ));
