/**
 * The controls catalog's framework mapping: which SOC 2 and GDPR criteria each control supports.
 * Declared once, inside the pack (it ships alone): the policies' Pulumi `framework` metadata
 * and the compliance report (lib/evidence) both read it.
 */
import { CONTROL_IDS, type ControlId } from "./types";

/** The frameworks the catalog maps to, as Pulumi's policy metadata names them. */
export const FRAMEWORKS = {
  "SOC 2": {
    version: "2017 TSC (2022 points of focus)",
    url: "https://www.aicpa-cima.com/topic/audit-assurance/audit-and-assurance-greater-than-soc-2",
  },
  GDPR: { version: "Regulation (EU) 2016/679", url: "https://eur-lex.europa.eu/eli/reg/2016/679/oj" },
} as const;
export type FrameworkName = keyof typeof FRAMEWORKS;

export interface FrameworkCriterion {
  framework: FrameworkName;
  criterion: string;
  title: string;
  /** The controls the catalog maps to it; GDPR Art. 25 ("all defaults secure") maps to all. */
  controls: readonly ControlId[];
}

/** The catalog's "Framework mapping". */
export const FRAMEWORK_MAPPING: readonly FrameworkCriterion[] = [
  {
    framework: "SOC 2",
    criterion: "CC6.1",
    title: "logical access",
    controls: ["IAM-1", "IAM-2", "KEY-1", "SEC-1"],
  },
  {
    framework: "SOC 2",
    criterion: "CC6.6",
    title: "boundary protection",
    controls: ["NET-1", "NET-2", "EDGE-1"],
  },
  { framework: "SOC 2", criterion: "CC6.7", title: "transmission", controls: ["TLS-1"] },
  {
    framework: "SOC 2",
    criterion: "CC7.2",
    title: "monitoring",
    controls: ["LOG-1", "MON-1", "THR-1", "SIEM-1"],
  },
  { framework: "SOC 2", criterion: "CC8.1", title: "change management", controls: ["ENV-1"] },
  {
    framework: "SOC 2",
    criterion: "A1.2",
    title: "backup and recovery",
    controls: ["BAK-1", "BAK-2", "AVL-1"],
  },
  { framework: "SOC 2", criterion: "C1.1", title: "confidentiality", controls: ["ENC-1", "ENC-2", "CLS-1"] },
  {
    framework: "GDPR",
    criterion: "Art. 32",
    title: "security of processing",
    controls: ["TLS-1", "ENC-1", "ENC-2", "IAM-1", "BAK-1", "LOG-1", "EDGE-1", "SIEM-1"],
  },
  { framework: "GDPR", criterion: "Art. 44", title: "transfers", controls: ["RES-1"] },
  {
    framework: "GDPR",
    criterion: "Art. 25",
    title: "by design and default: all defaults secure",
    controls: CONTROL_IDS,
  },
];

/** The frameworks' criteria a control supports. */
export function criteriaOf(id: ControlId): FrameworkCriterion[] {
  return FRAMEWORK_MAPPING.filter((c) => c.controls.includes(id));
}

/**
 * A policy's Pulumi `framework` metadata (one framework per policy, as the SDK allows): SOC 2
 * when its controls map to SOC 2 criteria, else GDPR; `reference` lists the criteria and
 * `specification` their titles. Every criterion, of either framework, is also a tag.
 */
export function frameworkMetadata(controls: readonly ControlId[]): {
  framework: { name: FrameworkName; version: string; reference: string; specification: string };
  url: string;
  tags: string[];
} {
  const criteria = FRAMEWORK_MAPPING.filter((c) => c.controls.some((id) => controls.includes(id)));
  const name: FrameworkName = criteria.some((c) => c.framework === "SOC 2") ? "SOC 2" : "GDPR";
  const own = criteria.filter((c) => c.framework === name);
  return {
    framework: {
      name,
      version: FRAMEWORKS[name].version,
      reference: own.map((c) => c.criterion).join(", "),
      specification: own.map((c) => `${c.criterion} ${c.title}`).join("; "),
    },
    url: FRAMEWORKS[name].url,
    tags: criteria.map((c) => `${c.framework} ${c.criterion}`),
  };
}
