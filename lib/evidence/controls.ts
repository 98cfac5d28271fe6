/**
 * The controls catalog, kept as data in this repository: the compliance report, the policy
 * metadata and the coverage test need the catalog's words, and a clone must have them.
 *
 * `notes` are ours: where a service cannot fully meet the control, or where the evidence the
 * pack can give stops, said plainly so the report does not overclaim.
 */
import type { ControlId } from "../../policy/lib/types";

export interface Control {
  id: ControlId;
  title: string;
  /** What the control means on Azure (minimum), as the catalog says it. */
  requirement: string;
  /** Limits of the services or of the evidence. */
  notes: readonly string[];
}

export const CONTROLS: readonly Control[] = [
  {
    id: "TLS-1",
    title: "Encryption in transit",
    requirement:
      "HTTPS only, everywhere. Minimum TLS 1.2 on every service that has a setting; TLS 1.3 floor where the service can enforce it (PostgreSQL `ssl_min_protocol_version=TLSv1.3`). No non-TLS ports (Redis non-SSL port off, Redis client protocol `Encrypted`, Postgres `require_secure_transport=on`).",
    notes: [
      "Only PostgreSQL can enforce a TLS 1.3 floor (`ssl_min_protocol_version=TLSv1.3`). Storage, Key Vault, Azure Managed Redis and Container Apps ingress accept TLS 1.2 and 1.3 but offer no setting that refuses 1.2, so their floor is TLS 1.2 (the Storage API lists `TLS1_3` but documents it as unsupported as a minimum).",
    ],
  },
  {
    id: "ENC-1",
    title: "Encryption at rest",
    requirement: "Platform encryption always on; Storage infrastructure (double) encryption on.",
    notes: [
      "Platform encryption of PostgreSQL, Managed Redis and Key Vault is always on and has no setting to check; only Storage exposes infrastructure (double) encryption, and only at creation.",
    ],
  },
  {
    id: "ENC-2",
    title: "Customer-managed keys",
    requirement:
      "When CMK is on (default in production): Storage, PostgreSQL and Managed Redis encrypt with an RSA key (3072 bits or more, HSM-backed where the vault SKU allows) held in Key Vault, reached through a user-assigned identity. PostgreSQL with geo-redundant backup also gets a geo-backup key and identity.",
    notes: [
      "Dev runs with platform-managed keys by configuration; the prod preset requires CMK.",
      "Azure Managed Redis accepts only versioned key URLs: a rotated key is picked up by the next deployment, while Storage and PostgreSQL follow versionless URIs at once.",
      "On Azure Managed Redis the customer-managed key covers what reaches disk (persistence files, the OS disk, export temporaries); data held in memory is outside any key's reach.",
      "HSM-backed keys need a premium vault; the dev preset accepts software keys.",
    ],
  },
  {
    id: "KEY-1",
    title: "Key management",
    requirement:
      "Key Vault: RBAC authorization (no access policies), soft delete with 90-day retention, purge protection on, public network access off (private endpoint), `enabledForDeployment/TemplateDeployment/DiskEncryption` off. Keys have a rotation policy that rotates at most every 365 days and an expiry.",
    notes: [
      "Key expiry is set through the rotation policy's `expiryTime`; the pack checks the policy, not the key material's age in Azure.",
    ],
  },
  {
    id: "SEC-1",
    title: "Secrets",
    requirement:
      "No secret in code, in plain stack config, or in a container's plain environment variable. Secrets live in Key Vault; container apps read them through Key Vault references with a managed identity. Generated credentials (`@pulumi/random`) are Pulumi secrets and are only ever written to Key Vault.",
    notes: [
      "The pack sees plain environment variables, Key Vault references and stack config; it cannot see secrets baked into images or application code. Detecting a secret in a plain variable is a heuristic (names and value shapes).",
    ],
  },
  {
    id: "IAM-1",
    title: "Managed identities, no local auth",
    requirement:
      "Workloads use user-assigned managed identities. Shared keys and local auth are off: Storage `allowSharedKeyAccess=false`, Managed Redis `accessKeysAuthentication=Disabled`, PostgreSQL Entra-only auth (`passwordAuth=Disabled`), Log Analytics `disableLocalAuth=true`.",
    notes: [],
  },
  {
    id: "IAM-2",
    title: "Least privilege",
    requirement:
      "Role assignments for workloads use data-plane roles scoped to the one resource they need (e.g. Key Vault Secrets User on one vault). No Owner, Contributor, User Access Administrator or RBAC Administrator for workload identities. Human access is granted to Entra groups per role (Developer, QA, DevOps, Cloud Admin) from config, never to single users.",
    notes: [
      "Who is in each Entra group is managed in Entra ID, outside the stack: the pack checks that humans get roles only through groups, not the groups' membership.",
    ],
  },
  {
    id: "NET-1",
    title: "Private data plane",
    requirement:
      "Data stores (PostgreSQL, Storage, Redis, Key Vault) have public network access disabled and are reached through private endpoints with private DNS zones, or VNet integration. The Container Apps environment is VNet-integrated. Network security groups on every subnet.",
    notes: [
      "Log Analytics accepts queries from the public endpoint (Entra-authenticated) so the portal works; ingestion is private.",
    ],
  },
  {
    id: "NET-2",
    title: "Only HTTPS ingress to designated frontends",
    requirement:
      "Container apps: `allowInsecure=false`; only apps marked as frontends are reachable from outside, and only through the edge (EDGE-1); every other app is internal. No public IPs anywhere.",
    notes: [
      "Frontends keep `external` ingress on an internal environment with public network access disabled: `external` then means reachable from the VNet and through the environment's private endpoint, which only Front Door uses (EDGE-1).",
    ],
  },
  {
    id: "BAK-1",
    title: "Backups",
    requirement:
      "PostgreSQL: backup retention of at least 30 days, geo-redundant backup on. Storage: blob soft delete and container soft delete of at least 30 days, versioning, change feed, point-in-time restore, geo-redundant replication (GRS/GZRS family). Key Vault soft delete 90 days. Managed Redis persistence on where data matters.",
    notes: [
      "Redis persistence is required in prod only; Managed Redis has no scheduled export to storage in this stack.",
      "Managed Redis has no geo-redundant backup: its persistence stays in the cluster's region, and active geo-replication (the service's only cross-region copy) cannot be combined with persistence, so the stack keeps persistence and a regional loss loses the cache's contents.",
      "Restores are not exercised by the offline checks: a backup's restorability needs a drill against real Azure.",
    ],
  },
  {
    id: "BAK-2",
    title: "Deletion protection",
    requirement:
      "In production, stateful resources (PostgreSQL, Storage, Key Vault, Redis, Log Analytics) carry a `CanNotDelete` management lock and Pulumi's `protect`.",
    notes: [
      "Dev carries no locks by design. In prod, removing a resource needs the lock removed first (by the pipeline identity with a lock role), which is the point.",
    ],
  },
  {
    id: "AVL-1",
    title: "Availability",
    requirement:
      "In production: zone redundancy (PostgreSQL HA `ZoneRedundant`, Container Apps environment `zoneRedundant`, zone-redundant storage replication, Redis high availability), and at least 2 replicas for frontends.",
    notes: ["Dev is not zone-redundant by design; only the prod preset requires it."],
  },
  {
    id: "LOG-1",
    title: "Audit logging",
    requirement:
      "A Log Analytics workspace keeps logs for at least 365 days. Every resource that supports diagnostic settings sends its audit/all logs and metrics there (Key Vault `AuditEvent`, PostgreSQL logs, Storage blob read/write/delete, Container Apps console and system logs, Redis). PostgreSQL logs connections and disconnections.",
    notes: [
      "Retention is enforced on the workspace (>= 365 days); long-term archive beyond the workspace's retention is not configured.",
    ],
  },
  {
    id: "MON-1",
    title: "Monitoring and alerting",
    requirement:
      "Azure Monitor alerts on critical anomalies (for example Key Vault availability, PostgreSQL CPU and storage, container app restarts) routed to an action group.",
    notes: [
      "Alerts are static metric thresholds on the signals each component declares (availability, CPU, storage, restarts, server load, WAF blocks, origin health); analytics over the logs is SIEM-1's (Microsoft Sentinel).",
      "Receivers are the alert e-mail from config; on-call routing is up to the action group's owner.",
    ],
  },
  {
    id: "RES-1",
    title: "EU data residency",
    requirement:
      "Every resource, and every geo-replica or geo-backup, stays in an allowed region; the default allowed list is EU regions only.",
    notes: [
      "Metric alerts, action groups, private DNS zones and Defender plans are global resources (`location: global`); alert notifications may be processed outside the EU by Azure Monitor.",
    ],
  },
  {
    id: "CLS-1",
    title: "Data classification and ownership",
    requirement:
      "Every resource is tagged with `environment`, `owner` and `dataClassification`; data stores holding customer data are tagged `customer-confidential`. The four classes: `public`, `internal`, `confidential`, `customer-confidential`.",
    notes: [
      "Classification is declared by tags on the resources that hold the data; the pack cannot inspect the data itself.",
    ],
  },
  {
    id: "THR-1",
    title: "Threat protection",
    requirement:
      "Microsoft Defender for Cloud plans for the services used (Storage, Key Vault, Containers, open-source relational databases) are on for the subscription when the stack is allowed to manage them; PostgreSQL server threat protection on.",
    notes: [
      "Defender plans are subscription-wide: only the stack that owns the subscription's security settings manages them (prod); dev relies on the subscription's owner.",
      "azure-native 3.28 has no resource for per-server threat protection on PostgreSQL flexible servers; the `OpenSourceRelationalDatabases` plan covers them at subscription level.",
    ],
  },
  {
    id: "ENV-1",
    title: "Environment separation",
    requirement:
      "Development and production are separate stacks with separate resource groups (and, in real use, subscriptions). Production runs the policy pack with every control mandatory. Changes reach production only through a reviewed pull request whose preview passed the policy pack.",
    notes: [
      "Separate subscriptions, branch protection and required reviewers on the `production` environment are GitHub and Azure settings outside the stack; the workflows gate production on a reviewed pull request whose preview ran the pack, and the pack checks one environment per stack in its own resource groups.",
    ],
  },
  {
    id: "EDGE-1",
    title: "Edge protection",
    requirement:
      "Public HTTP(S) traffic reaches the platform only through a web application firewall in prevention mode (managed default rule set, bot protection, rate limiting) at an edge with DDoS protection (Azure Front Door Premium). HTTP redirects to HTTPS; the edge uses the strongest TLS policy it offers (TLS 1.2 minimum, TLS 1.3 preferred). Origins are reached privately (Private Link); the Container Apps environment is internal with public network access disabled.",
    notes: [
      "Front Door's strongest predefined TLS policy in the API version used (2025-06-01) is `TLS12_2023`: TLS 1.3 preferred, TLS 1.2 minimum with ECDHE-GCM suites only. A TLS policy (and a TLS 1.3 floor) can be set only on a custom domain. An app with a custom domain is served on that domain only: its route does not link the `*.azurefd.net` endpoint host (`linkToDefaultDomain: Disabled`, enforced by front-door-route-https-only), so `TLS12_2023` applies to all of its traffic. An app without a custom domain (the dev default) is served on its `*.azurefd.net` host, which runs Front Door's own, non-configurable TLS settings (TLS 1.2 minimum, 1.3 negotiated), not `TLS12_2023`; give it a custom domain to get the stronger policy.",
      "DDoS protection at the edge is Front Door's built-in infrastructure protection; there is no setting to check. The WAF's managed rule sets are Microsoft's: the pack checks they are present and blocking, not their contents.",
      "The private endpoint connections Front Door requests on the environment (it may open several) are approved by the stack at deployment time, each by its own resource, matched by a request message that carries the profile's Front Door ID (a foreign requester cannot guess it); Azure generates their names, so the offline plan shows the mock's names. On a new stack the request can arrive after the origin is created: the first `pulumi up` then stops with a message and the next run approves (docs/edge-and-siem.md).",
    ],
  },
  {
    id: "SIEM-1",
    title: "Security monitoring",
    requirement:
      "A SIEM (Microsoft Sentinel on the platform workspace) analyses security logs continuously. Analytics rules, kept as code, cover unusual access to secrets and keys, repeated authentication failures, WAF blocks from one source, role assignments made outside the pipeline, deleted locks or diagnostic settings, and public access re-enabled on a data store. Incidents route to the security team.",
    notes: [
      "Tenant-level data connectors (Microsoft Entra ID sign-in and audit logs, Microsoft Defender XDR) need a Global or Security Administrator and are not managed by this subscription-scoped stack; docs/edge-and-siem.md lists them.",
      "Dev may run without Sentinel (a cost item): the prod preset requires it. Daily review of incidents by the security team is a process the stack cannot prove.",
    ],
  },
];

// The framework mapping ships with the policy pack (its policies carry Pulumi's `framework`
// metadata), so it is declared there, once, and read here.
export { FRAMEWORK_MAPPING, criteriaOf, type FrameworkCriterion } from "../../policy/lib/frameworks";
