// Validates rendered lnob manifests (output of tests/ops/render.sh), offline.
//
//   node tests/ops/validate_objects.mjs RENDERED.yaml...
//   (tests/ops/validate_objects.sh installs the npm packages, renders and calls this)
//
// 1. Schema: every object against its published model: kubernetes-models (core API),
//    @kubernetes-models/prometheus-operator (ServiceMonitor, PodMonitor, PrometheusRule) and
//    @kubernetes-models/cloudnative-pg (Cluster, ScheduledBackup; generated from the
//    CloudNativePG Go API types). An object of a kind no package knows is an error.
// 2. Unknown fields: the published schemas accept unknown properties, so a misspelt field
//    (readinesProbe, periodSecond) would pass. The validator runs on a Proxy that records
//    which properties the schema reads; a property of an object the schema inspects but never
//    reads is reported. Free-form objects (never inspected) are skipped.
// 3. Consistency checks across objects of one overlay (see checkOverlay below): references
//    to ConfigMaps, Secrets and ServiceAccounts, $(VAR) expansions, Service and
//    ServiceMonitor selectors and ports, probes, security contexts, shutdown timing,
//    NetworkPolicies, bootstrap and migration Jobs, CloudNativePG references, and that the
//    PrometheusRule and the dashboards ConfigMap hold exactly deploy/monitoring/rules.yaml and
//    deploy/monitoring/dashboards/*.json. Calls between workloads (a service's
//    LNOB_<PEER>_ADDRESS, the gateway's LNOB_BACKENDS) must name a rendered Service port, and
//    the NetworkPolicies must let the caller out to the callee's pods and the callee's pods
//    admit the caller; likewise every workload that connects to PostgreSQL (LNOB_DATABASE_URL,
//    a Job's --database_url/--admin_url) and the database pods. Every schema (the services'
//    and, when API keys are on, the gateway's) has bootstrap and migrate Jobs and, in prod,
//    managed roles. The gateway's three ports (http, grpc, metrics) match its settings, are on
//    its Service and admitted by its NetworkPolicy; each Ingress backend is a Service port whose
//    pods admit the ingress controller, and a gRPC Ingress (backend-protocol GRPC) targets a
//    gRPC port with TLS. Key files (LNOB_JWT_PUBLIC_KEYS, LNOB_*_SIGNING_KEY, LNOB_TLS_KEY) must
//    be files mounted from a Secret; private keys not readable by others; no Secret is rendered.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER_CODES = ["Unknown", "Internal", "Unavailable", "DataLoss", "DeadlineExceeded"];
const PROTO_SERVICES = protoServices();

// ------------------------------------------------------------------ models
const PACKAGES = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
};
const moduleCache = new Map();
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const spec = PACKAGES[group]
    ? `${PACKAGES[group]}/${group}/${version}`
    : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  if (!moduleCache.has(spec)) {
    moduleCache.set(spec, await import(spec).catch(() => null));
  }
  const mod = moduleCache.get(spec);
  return mod && typeof mod[kind] === "function" ? mod[kind] : null;
}

// Properties named like JSON-schema annotation keywords are missing from some generated
// validators (CloudNativePG's Cluster .spec.description is declared in the typings but never
// read), so they cannot be told apart from typos and are not reported.
const SCHEMA_KEYWORD_NAMES = new Set(["description", "title", "default", "example", "examples"]);

// Runs the model's validate function on a Proxy of the object and returns the paths of
// properties the schema never looked at.
function validateTracked(Model, obj) {
  const seen = new WeakMap();
  const proxies = new WeakMap();
  const wrap = (o) => {
    if (o === null || typeof o !== "object") return o;
    if (proxies.has(o)) return proxies.get(o);
    seen.set(o, new Set());
    const p = new Proxy(o, {
      get(t, k, r) {
        if (typeof k === "string") seen.get(t).add(k);
        return wrap(Reflect.get(t, k, r));
      },
      has(t, k) {
        if (typeof k === "string") seen.get(t).add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        seen.get(t).add("\0all"); // iterated: a map such as labels, every key is checked
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(o, p);
    return p;
  };
  Model.prototype.validate.call(wrap(obj));
  const unknown = [];
  const walk = (o, at) => {
    if (o === null || typeof o !== "object") return;
    if (Array.isArray(o)) {
      o.forEach((v, i) => walk(v, `${at}[${i}]`));
      return;
    }
    const s = seen.get(o);
    if (s && s.size > 0 && !s.has("\0all")) {
      for (const k of Object.keys(o)) if (!s.has(k) && !SCHEMA_KEYWORD_NAMES.has(k)) unknown.push(`${at}.${k}`);
    }
    for (const k of Object.keys(o)) walk(o[k], `${at}.${k}`);
  };
  walk(obj, "");
  return unknown;
}

// ------------------------------------------------------------------ helpers
function parseDuration(s) {
  // Go/absl style: 1h2m3s, 500ms, 20s
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let m;
  let consumed = "";
  while ((m = re.exec(s)) !== null) {
    consumed += m[0];
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2]];
  }
  return consumed === s && s !== "" ? total : NaN;
}
const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => (labels || {})[k] === v);
const podTemplates = (objs) =>
  objs.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind))
    .map((o) => ({ owner: o, labels: o.spec?.template?.metadata?.labels || {}, spec: o.spec?.template?.spec || {} }));
const id = (o) => `${o.kind}/${o.metadata?.name}`;
// Key order does not matter (kustomize sorts keys).
const canonical = (v) => Array.isArray(v) ? v.map(canonical)
  : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const deepEqual = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

// The Secret volume (and the file's mode) a container reads `file` from, or null when the file
// is not below a mount of a Secret volume (or the volume's items do not provide it).
function secretFile(container, podSpec, file) {
  for (const m of container.volumeMounts || []) {
    if (!file.startsWith(m.mountPath.replace(/\/$/, "") + "/")) continue;
    const v = (podSpec.volumes || []).find((x) => x.name === m.name);
    if (!v?.secret) continue;
    const rel = file.slice(m.mountPath.replace(/\/$/, "").length + 1);
    const items = v.secret.items;
    const item = items ? items.find((i) => i.path === rel) : { mode: undefined };
    if (!item) continue;
    return { volume: v, mode: item.mode ?? v.secret.defaultMode ?? 0o644 };
  }
  return null;
}

// NetworkPolicy rules: a same-namespace pod peer matching these labels; a port list admitting
// this TCP port (no list: every port).
const peerMatches = (peers, labels) => (peers || []).some((p) => p.podSelector && !p.namespaceSelector && !p.ipBlock &&
  matches(p.podSelector.matchLabels, labels));
const portAdmits = (ports, port) => !ports || ports.length === 0 ||
  ports.some((pt) => pt.port === port && (pt.protocol ?? "TCP") === "TCP");

// The gRPC services each lnob package declares in proto/lnob/<pkg>/v<N>/*.proto:
// "lnob.<pkg>.v<N>.<Service>" -> "<pkg>".
function protoServices() {
  const out = new Map();
  const base = path.join(ROOT, "proto/lnob");
  if (!fs.existsSync(base)) return out;
  for (const pkg of fs.readdirSync(base)) {
    const dir = path.join(base, pkg);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const ver of fs.readdirSync(dir)) {
      const vdir = path.join(dir, ver);
      if (!fs.statSync(vdir).isDirectory()) continue;
      for (const f of fs.readdirSync(vdir).filter((x) => x.endsWith(".proto"))) {
        const text = fs.readFileSync(path.join(vdir, f), "utf8");
        const pk = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1];
        if (!pk) continue;
        for (const m of text.matchAll(/^service\s+(\w+)\s*\{/gm)) out.set(`${pk}.${m[1]}`, pkg);
      }
    }
  }
  return out;
}

function externalSecrets() {
  // Secrets created per installation: named (literally or through SERVICES) in
  // deploy/k8s/create-secrets.sh.
  const script = fs.readFileSync(path.join(ROOT, "deploy/k8s/create-secrets.sh"), "utf8");
  const names = new Set(script.match(/lnob-[a-z0-9][a-z0-9-]*[a-z0-9]/g) || []);
  const services = (script.match(/^SERVICES=\(([^)]*)\)/m)?.[1] || "").split(/\s+/).filter(Boolean);
  for (const svc of services) {
    names.add(`lnob-${svc}-db-owner`);
    names.add(`lnob-${svc}-db`);
  }
  const signing = (script.match(/^SIGNING_SERVICES=\(([^)]*)\)/m)?.[1] || "").split(/\s+/).filter(Boolean);
  for (const svc of signing) names.add(`lnob-${svc}-signing-key`);
  return names;
}

// The database password reaches libpq as PGPASSWORD from a Secret: never inside a connection
// URL (logged, shown in pod specs) nor on a command line.
function passwordFromSecret(c) {
  const env = c.env || [];
  const inUrl = env.some((e) => /password=/i.test(e.value || "")) || (c.args || []).some((a) => /password/i.test(a));
  return !inUrl && env.some((e) => e.name === "PGPASSWORD" && e.valueFrom?.secretKeyRef);
}

// ------------------------------------------------------------------ per-overlay checks
function checkOverlay(name, objs, err) {
  const byKind = (k) => objs.filter((o) => o.kind === k);
  const find = (k, n) => objs.find((o) => o.kind === k && o.metadata?.name === n);
  const external = externalSecrets();
  const ops = fs.readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");
  const secretRef = (owner, n) => {
    if (!n) return;
    if (find("Secret", n)) return;
    if (!external.has(n)) err(`${id(owner)}: Secret ${n} is neither rendered nor created by deploy/k8s/create-secrets.sh`);
    if (!ops.includes(n)) err(`${id(owner)}: Secret ${n} is not documented in docs/operations.md`);
  };

  // Names, labels, namespace.
  const namespaces = new Set(objs.filter((o) => o.kind !== "Namespace").map((o) => o.metadata?.namespace));
  if (namespaces.size !== 1 || namespaces.has(undefined)) {
    err(`objects are spread over namespaces ${[...namespaces].join(", ")}; expected the overlay's one`);
  }
  const seenIds = new Set();
  for (const o of objs) {
    const n = o.metadata?.name || "";
    if (!DNS1123.test(n) || n.length > 253) err(`${id(o)}: name is not a DNS-1123 subdomain`);
    if (["Service", "Namespace"].includes(o.kind) && n.length > 63) err(`${id(o)}: name longer than 63`);
    if (seenIds.has(id(o))) err(`${id(o)} appears twice`);
    seenIds.add(id(o));
    const allLabels = [o.metadata?.labels, o.spec?.template?.metadata?.labels];
    for (const labels of allLabels) {
      for (const [k, v] of Object.entries(labels || {})) {
        if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) err(`${id(o)}: bad label value ${k}=${v}`);
      }
    }
  }

  // Pod specs of Deployments, StatefulSets and Jobs.
  const calls = []; // { owner, where, what, host, port }: a workload calling a Service
  const gatewayRoutes = []; // { service, host } from the gateway's LNOB_BACKENDS
  const dbClients = []; // { owner, where }: a workload connecting to PostgreSQL
  const gateways = []; // { owner, ports: { http, grpc, metrics }, apiKeys }
  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c.data || {}]));
  for (const { owner, spec } of podTemplates(objs)) {
    if (spec.serviceAccountName && !find("ServiceAccount", spec.serviceAccountName)) {
      err(`${id(owner)}: ServiceAccount ${spec.serviceAccountName} not rendered`);
    }
    if (spec.securityContext?.runAsNonRoot !== true) err(`${id(owner)}: pod securityContext.runAsNonRoot must be true`);
    if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") err(`${id(owner)}: seccompProfile must be RuntimeDefault`);
    for (const v of spec.volumes || []) {
      if (v.secret) secretRef(owner, v.secret.secretName);
      if (v.configMap && !configMaps.has(v.configMap.name)) err(`${id(owner)}: ConfigMap ${v.configMap.name} not rendered`);
    }
    for (const c of spec.containers || []) {
      const where = `${id(owner)} container ${c.name}`;
      // Passwords never in a connection string or on a command line (PGPASSWORD, LNOB_*_PASSWORD).
      if ((c.env || []).some((e) => /password=/i.test(e.value || "")) || (c.args || []).some((x) => /password/i.test(x))) {
        err(`${where}: a password is in a connection string or an argument; pass it as an environment variable from its Secret`);
      }
      const sc = c.securityContext || {};
      if (sc.allowPrivilegeEscalation !== false) err(`${where}: allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) err(`${where}: readOnlyRootFilesystem must be true`);
      if (!(sc.capabilities?.drop || []).includes("ALL")) err(`${where}: capabilities must drop ALL`);
      for (const r of ["cpu", "memory"]) {
        if (!c.resources?.requests?.[r]) err(`${where}: resources.requests.${r} missing`);
      }
      if (!c.resources?.limits?.memory) err(`${where}: resources.limits.memory missing`);
      if (!c.image || c.image.endsWith(":latest") || !c.image.includes(":")) err(`${where}: image ${c.image} must carry a fixed tag`);
      // Environment as the kubelet builds it: envFrom first, then env in order.
      const vars = new Map();
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef) {
          const data = configMaps.get(ef.configMapRef.name);
          if (!data) err(`${where}: ConfigMap ${ef.configMapRef.name} not rendered`);
          for (const [k, v] of Object.entries(data || {})) vars.set(k, v);
        }
        if (ef.secretRef) secretRef(owner, ef.secretRef.name);
      }
      const refs = (s, what) => {
        for (const m of String(s).matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          if (!vars.has(m[1])) err(`${where}: ${what} uses $(${m[1]}), which is not defined before it`);
        }
      };
      for (const e of c.env || []) {
        if (e.value !== undefined) refs(e.value, `env ${e.name}`);
        const skr = e.valueFrom?.secretKeyRef;
        if (skr) secretRef(owner, skr.name);
        const ckr = e.valueFrom?.configMapKeyRef;
        if (ckr && !(configMaps.get(ckr.name) || {})[ckr.key]) err(`${where}: ConfigMap key ${ckr.name}/${ckr.key} not rendered`);
        vars.set(e.name, e.value ?? "<from reference>");
      }
      for (const a of [...(c.command || []), ...(c.args || [])]) refs(a, "command/args");

      // Private keys: a path to a file mounted from a Secret (never the PEM itself in the
      // environment or a ConfigMap), readable by owner and group only.
      const privateKey = (k) => /_SIGNING_KEY$/.test(k) || k === "LNOB_TLS_KEY";
      for (const e of c.env || []) {
        if (privateKey(e.name) && e.valueFrom) err(`${where}: ${e.name} must be a file path, not the key itself`);
      }
      for (const [k, v] of vars) {
        if (!privateKey(k) || v === "") continue;
        if (/-----BEGIN/.test(v)) {
          err(`${where}: ${k} holds a PEM key; mount it from a Secret and give its path`);
          continue;
        }
        const f = secretFile(c, spec, v);
        if (!f) err(`${where}: ${k} (${v}) is not a file mounted from a Secret`);
        else if ((f.mode & 0o007) !== 0) err(`${where}: ${k} (${v}) is readable by others (mode ${f.mode.toString(8)})`);
      }

      // PostgreSQL clients: checked against the database pods and both ends' policies below.
      if ((vars.get("LNOB_DATABASE_URL") ?? "") !== "" ||
          (owner.kind === "Job" && (c.args || []).some((a) => /^--(database_url|admin_url)=./.test(a)))) {
        dbClients.push({ owner, where });
      }

      if (owner.kind === "Deployment" && owner.metadata.labels?.["app.kubernetes.io/component"] === "gateway") {
        // The gateway: REST on "http", gRPC passthrough on "grpc", metrics on "metrics", HTTP
        // probes, token keys from a Secret; with API keys, its database role and keys.
        const httpPort = (c.ports || []).find((p) => p.name === "http")?.containerPort;
        const grpcPort = (c.ports || []).find((p) => p.name === "grpc")?.containerPort;
        const metricsPort = (c.ports || []).find((p) => p.name === "metrics")?.containerPort;
        if (!httpPort || !grpcPort || !metricsPort) err(`${where}: needs container ports named http, grpc and metrics`);
        if (String(httpPort) !== vars.get("LNOB_HTTP_PORT")) err(`${where}: LNOB_HTTP_PORT ${vars.get("LNOB_HTTP_PORT")} != container port ${httpPort}`);
        if (String(grpcPort) !== vars.get("LNOB_GRPC_PORT")) err(`${where}: LNOB_GRPC_PORT ${vars.get("LNOB_GRPC_PORT")} != container port ${grpcPort}`);
        if (String(metricsPort) !== vars.get("LNOB_METRICS_PORT")) err(`${where}: LNOB_METRICS_PORT != container port ${metricsPort}`);
        // The admin API (API keys) is reached through the gateway's own faces only.
        const adminHost = vars.get("LNOB_ADMIN_LISTEN_HOST");
        if (adminHost !== undefined && !["127.0.0.1", "::1", "localhost"].includes(adminHost)) {
          err(`${where}: LNOB_ADMIN_LISTEN_HOST ${adminHost} must stay a loopback address`);
        }
        const apiKeys = (vars.get("LNOB_DATABASE_URL") ?? "") !== "";
        if (apiKeys) {
          if (!passwordFromSecret(c)) {
            err(`${where}: the database password must come from the role's Secret as PGPASSWORD, never in LNOB_DATABASE_URL`);
          }
          if (!(c.env || []).some((e) => e.name === "LNOB_PAGE_TOKEN_SECRET" && e.valueFrom?.secretKeyRef)) {
            err(`${where}: LNOB_PAGE_TOKEN_SECRET must come from a Secret (required with API keys)`);
          }
          if (!vars.get("LNOB_JWT_SIGNING_KEY")) err(`${where}: API keys (LNOB_DATABASE_URL) need LNOB_JWT_SIGNING_KEY`);
        }
        // Both faces drain at once for --drain_timeout (default 5s), then the admin API (5s).
        const drain = parseDuration(vars.get("LNOB_DRAIN_TIMEOUT") ?? "5s");
        const tgps = spec.terminationGracePeriodSeconds ?? 30;
        if (!(tgps > drain + 5)) {
          err(`${where}: terminationGracePeriodSeconds ${tgps} must exceed drain_timeout + 5s (${drain + 5}s)`);
        }
        gateways.push({ owner, where, ports: { http: httpPort, grpc: grpcPort, metrics: metricsPort }, apiKeys });
        if (c.readinessProbe?.httpGet?.path !== "/readyz") err(`${where}: readinessProbe must be GET /readyz`);
        if (c.livenessProbe?.httpGet?.path !== "/healthz") err(`${where}: livenessProbe must be GET /healthz`);
        if (!vars.get("LNOB_BACKENDS")) err(`${where}: LNOB_BACKENDS is not set`);
        const routed = new Set();
        for (const entry of (vars.get("LNOB_BACKENDS") || "").split(",").filter(Boolean)) {
          const m = /^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*\.v[0-9]+\.[A-Z][A-Za-z0-9]*)=([^=:\s]+):([0-9]+)$/.exec(entry);
          if (!m) {
            err(`${where}: LNOB_BACKENDS entry "${entry}" is not package.vN.Service=host:port`);
            continue;
          }
          if (routed.has(m[1])) err(`${where}: LNOB_BACKENDS routes ${m[1]} twice`);
          routed.add(m[1]);
          if (!PROTO_SERVICES.has(m[1])) err(`${where}: LNOB_BACKENDS routes ${m[1]}, which no proto/lnob/**/*.proto declares`);
          gatewayRoutes.push({ service: m[1], host: m[2] });
          calls.push({ owner, where, what: `LNOB_BACKENDS ${m[1]}`, host: m[2], port: Number(m[3]) });
        }
        const keysFile = vars.get("LNOB_JWT_PUBLIC_KEYS") || "";
        if (!secretFile(c, spec, keysFile)) err(`${where}: LNOB_JWT_PUBLIC_KEYS (${keysFile}) is not a file mounted from a Secret`);
        for (const [face, port] of [["REST", httpPort], ["gRPC", grpcPort]]) {
          if (byKind("NetworkPolicy").length > 0 && !byKind("NetworkPolicy").some((np) => matches(np.spec?.podSelector?.matchLabels, owner.spec?.template?.metadata?.labels || {}) &&
              (np.spec.ingress || []).some((r) => (r.ports || []).some((pt) => pt.port === port)))) {
            err(`${where}: no NetworkPolicy admits ${face} clients on ${port}`);
          }
        }
      }
      if (owner.kind === "Deployment" && owner.metadata.labels?.["app.kubernetes.io/component"] === "server") {
        const grpcPort = (c.ports || []).find((p) => p.name === "grpc")?.containerPort;
        const metricsPort = (c.ports || []).find((p) => p.name === "metrics")?.containerPort;
        if (!grpcPort || !metricsPort) err(`${where}: needs container ports named grpc and metrics`);
        for (const probe of ["readinessProbe", "livenessProbe"]) {
          if (c[probe]?.grpc?.port !== grpcPort) err(`${where}: ${probe} must be a native gRPC probe on port ${grpcPort}`);
        }
        if (String(grpcPort) !== vars.get("LNOB_GRPC_PORT")) err(`${where}: LNOB_GRPC_PORT ${vars.get("LNOB_GRPC_PORT")} != container port ${grpcPort}`);
        if (String(metricsPort) !== vars.get("LNOB_METRICS_PORT")) err(`${where}: LNOB_METRICS_PORT ${vars.get("LNOB_METRICS_PORT")} != container port ${metricsPort}`);
        for (const required of ["LNOB_DATABASE_URL", "LNOB_JWT_PUBLIC_KEYS", "LNOB_PAGE_TOKEN_SECRET"]) {
          if (!vars.has(required)) err(`${where}: ${required} is not set`);
        }
        if (!passwordFromSecret(c)) {
          err(`${where}: the database password must come from the role's Secret as PGPASSWORD, never in LNOB_DATABASE_URL`);
        }
        if (!(c.env || []).some((e) => e.name === "LNOB_PAGE_TOKEN_SECRET" && e.valueFrom?.secretKeyRef)) {
          err(`${where}: LNOB_PAGE_TOKEN_SECRET must come from a Secret`);
        }
        const keysFile = vars.get("LNOB_JWT_PUBLIC_KEYS") || "";
        if (!secretFile(c, spec, keysFile)) err(`${where}: LNOB_JWT_PUBLIC_KEYS (${keysFile}) is not a file mounted from a Secret`);
        // Calls to other services: LNOB_<PEER>_ADDRESS=host:port. Such a service signs its own
        // tokens for them (LNOB_SERVICE_SIGNING_KEY, checked with the other keys below).
        const peers = [...vars.keys()].filter((k) => /^LNOB_[A-Z0-9_]+_ADDRESS$/.test(k));
        for (const k of peers) {
          const m = /^([^=:\s]+):([0-9]+)$/.exec(vars.get(k));
          if (!m) err(`${where}: ${k} "${vars.get(k)}" is not host:port`);
          else calls.push({ owner, where, what: k, host: m[1], port: Number(m[2]) });
        }
        if (peers.length > 0 && !vars.has("LNOB_SERVICE_SIGNING_KEY")) {
          err(`${where}: calls ${peers.join(", ")} but LNOB_SERVICE_SIGNING_KEY is not set`);
        }
        const grace = parseDuration(vars.get("LNOB_SHUTDOWN_GRACE") ?? "1s");
        const drain = parseDuration(vars.get("LNOB_DRAIN_TIMEOUT") ?? "20s");
        const tgps = spec.terminationGracePeriodSeconds ?? 30;
        if (!(tgps > grace + drain)) {
          err(`${where}: terminationGracePeriodSeconds ${tgps} must exceed shutdown_grace + drain_timeout (${grace + drain}s)`);
        }
      }
    }
  }

  // Services: selector finds pods, named target ports exist.
  const templates = podTemplates(objs);
  for (const s of byKind("Service")) {
    const sel = s.spec?.selector;
    const pods = templates.filter((t) => matches(sel, t.labels));
    if (pods.length === 0) {
      err(`${id(s)}: selector ${JSON.stringify(sel)} matches no pod template`);
      continue;
    }
    if (pods.some((p) => p.owner.kind === "Job")) err(`${id(s)}: selector also matches Job pods`);
    for (const p of s.spec.ports || []) {
      if (typeof p.targetPort === "string" &&
          !pods.every((t) => (t.spec.containers || []).some((c) => (c.ports || []).some((cp) => cp.name === p.targetPort)))) {
        err(`${id(s)}: targetPort ${p.targetPort} is not a container port of the selected pods`);
      }
    }
  }
  const services = byKind("Service");
  const policiesAll = byKind("NetworkPolicy");

  // Secrets are created per installation, never rendered from the repository.
  for (const sec of byKind("Secret")) err(`${id(sec)}: Secrets are never committed; create it per installation`);

  // Calls between workloads: the Service and port exist, and the NetworkPolicies let the call
  // through on both ends (egress of the caller, ingress of the callee, on the pod's port).
  for (const call of calls) {
    const svc = services.find((x) => x.metadata.name === call.host.split(".")[0]);
    if (!svc) {
      err(`${call.where}: ${call.what} names ${call.host}, which is not a rendered Service`);
      continue;
    }
    const sp = (svc.spec.ports || []).find((p) => p.port === call.port);
    if (!sp) {
      err(`${call.where}: ${call.what}: Service ${svc.metadata.name} has no port ${call.port}`);
      continue;
    }
    const callees = templates.filter((t) => t.owner.kind === "Deployment" && matches(svc.spec.selector, t.labels));
    if (policiesAll.length === 0) continue;
    const callerLabels = call.owner.spec.template.metadata.labels;
    for (const t of callees) {
      const target = typeof sp.targetPort === "string"
        ? (t.spec.containers || []).flatMap((c) => c.ports || []).find((cp) => cp.name === sp.targetPort)?.containerPort
        : sp.targetPort ?? sp.port;
      const out = policiesAll.some((p) => matches(p.spec?.podSelector?.matchLabels, callerLabels) &&
        (p.spec.egress || []).some((r) => peerMatches(r.to, t.labels) && portAdmits(r.ports, target)));
      if (!out) err(`${call.where}: ${call.what}: no NetworkPolicy lets it reach ${id(t.owner)} on ${target}`);
      const inn = policiesAll.some((p) => matches(p.spec?.podSelector?.matchLabels, t.labels) &&
        (p.spec.ingress || []).some((r) => peerMatches(r.from, callerLabels) && portAdmits(r.ports, target)));
      if (!inn) err(`${call.where}: ${call.what}: no NetworkPolicy of ${id(t.owner)} admits it on ${target}`);
    }
  }

  // The Jobs that prepare the schema <svc> of Deployment d: bootstrap (as the superuser) and
  // migrate (as the schema owner).
  const schemaJobs = (d, svc) => {
    const bootstrap = byKind("Job").find((j) => j.metadata.labels?.["lnob.gov.vn/service"] === svc &&
      (j.spec.template.spec.containers[0].args || []).includes("bootstrap"));
    if (!bootstrap) {
      err(`${id(d)}: no bootstrap Job (schema, roles, grants)`);
    } else {
      const args = bootstrap.spec.template.spec.containers[0].args;
      if (!args.includes(`--service=${svc}`)) err(`${id(bootstrap)}: must run bootstrap --service=${svc}`);
      if (!args.some((a) => a.startsWith("--admin_url=$("))) err(`${id(bootstrap)}: --admin_url must come from the superuser's Secret`);
    }
    const migrate = byKind("Job").find((j) => j.metadata.labels?.["lnob.gov.vn/service"] === svc &&
      (j.spec.template.spec.containers[0].args || []).includes("migrate"));
    if (!migrate) {
      err(`${id(d)}: no migration Job`);
    } else {
      const args = migrate.spec.template.spec.containers[0].args;
      if (!args.includes(`--service=${svc}`)) err(`${id(migrate)}: must run migrate --service=${svc}`);
      if (!args.some((a) => a.startsWith("--database_url=$("))) err(`${id(migrate)}: --database_url must come from the owner's Secret`);
    }
  };

  // Every lnob service: PDB, HPA, ServiceMonitor, NetworkPolicy, migration Job.
  const servers = byKind("Deployment").filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "server");
  if (servers.length === 0) err("no service Deployment rendered");
  const policies = byKind("NetworkPolicy");
  const monitors = byKind("ServiceMonitor");
  const denyAll = policies.find((p) => Object.keys(p.spec?.podSelector || {}).length === 0 &&
    ["Ingress", "Egress"].every((t) => (p.spec.policyTypes || []).includes(t)) && !p.spec.ingress && !p.spec.egress);
  if (policies.length > 0 && !denyAll) err("NetworkPolicies without a default deny-all policy");
  for (const d of servers) {
    const svc = d.metadata.name.replace(/^lnob-/, "");
    const podLabels = d.spec.template.metadata.labels;
    const container = d.spec.template.spec.containers[0];
    const grpcPort = (container.ports || []).find((p) => p.name === "grpc")?.containerPort;
    const metricsPort = (container.ports || []).find((p) => p.name === "metrics")?.containerPort;
    const service = services.find((s) => matches(s.spec.selector, podLabels));
    if (!service) err(`${id(d)}: no Service`);
    if (!byKind("PodDisruptionBudget").some((p) => matches(p.spec?.selector?.matchLabels, podLabels))) err(`${id(d)}: no PodDisruptionBudget`);
    if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === d.metadata.name)) {
      err(`${id(d)}: no HorizontalPodAutoscaler`);
    }
    if (d.spec.replicas !== undefined) err(`${id(d)}: replicas is set although an HPA owns the count`);
    if (monitors.length > 0 && service) {
      const sm = monitors.find((m) => matches(m.spec?.selector?.matchLabels, service.metadata.labels) &&
        (m.spec.endpoints || []).some((e) => (service.spec.ports || []).some((p) => p.name === e.port && p.port === metricsPort)));
      if (!sm) err(`${id(d)}: no ServiceMonitor scrapes port ${metricsPort} of Service ${service.metadata.name}`);
    }
    if (policies.length > 0) {
      const own = policies.filter((p) => matches(p.spec?.podSelector?.matchLabels, podLabels));
      if (!own.some((p) => (p.spec.ingress || []).some((r) => (r.ports || []).some((pt) => pt.port === grpcPort) && (r.from || []).length > 0))) {
        err(`${id(d)}: no NetworkPolicy lets its callers reach gRPC port ${grpcPort}`);
      }
      if (!own.some((p) => (p.spec.egress || []).some((r) => (r.ports || []).some((pt) => pt.port === 5432)))) {
        err(`${id(d)}: no NetworkPolicy lets it reach PostgreSQL`);
      }
      if (monitors.length > 0 && !own.some((p) => (p.spec.ingress || []).some((r) => (r.ports || []).some((pt) => pt.port === metricsPort) &&
          (r.from || []).some((f) => f.namespaceSelector)))) {
        err(`${id(d)}: no NetworkPolicy lets Prometheus scrape metrics port ${metricsPort}`);
      }
      if (!own.some((p) => (p.spec.egress || []).some((r) => (r.ports || []).some((pt) => pt.port === 53 && pt.protocol === "UDP")))) {
        err(`${id(d)}: no NetworkPolicy lets it resolve names (DNS 53/UDP)`);
      }
    }
    // The gateway routes every gRPC service of the package to this Deployment's Service.
    if (byKind("Deployment").some((g) => g.metadata.labels?.["app.kubernetes.io/component"] === "gateway")) {
      for (const [full, pkg] of PROTO_SERVICES) {
        if (pkg !== svc) continue;
        const r = gatewayRoutes.find((x) => x.service === full);
        if (!r) err(`${id(d)}: the gateway's LNOB_BACKENDS does not route ${full}`);
        else if (!service || r.host.split(".")[0] !== service.metadata.name) {
          err(`${id(d)}: the gateway routes ${full} to ${r.host}, not to Service ${service?.metadata.name}`);
        }
      }
    }
    schemaJobs(d, svc);
  }
  for (const j of byKind("Job")) {
    const labels = j.spec.template.metadata.labels;
    if (policies.length > 0 && !policies.some((p) => matches(p.spec?.podSelector?.matchLabels, labels) &&
        (p.spec.egress || []).some((r) => (r.ports || []).some((pt) => pt.port === 5432)))) {
      err(`${id(j)}: no NetworkPolicy lets it reach PostgreSQL`);
    }
  }
  for (const p of byKind("PodDisruptionBudget")) {
    if (!templates.some((t) => matches(p.spec?.selector?.matchLabels, t.labels))) err(`${id(p)}: selects no pods`);
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    if (!find(h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name)) err(`${id(h)}: scale target not rendered`);
  }
  for (const m of monitors) {
    const svc = services.find((s) => matches(m.spec?.selector?.matchLabels, s.metadata.labels));
    if (!svc) err(`${id(m)}: selects no Service`);
    else if (!(m.spec.endpoints || []).every((e) => (svc.spec.ports || []).some((p) => p.name === e.port))) {
      err(`${id(m)}: endpoint port not named on Service ${svc.metadata.name}`);
    }
  }
  // The gateway: its Service publishes the three ports, a ServiceMonitor scrapes the metrics
  // port, policies admit Prometheus and DNS; with API keys, its schema's Jobs (roles: below).
  if (!gateways.length) err("no gateway Deployment rendered");
  for (const g of gateways) {
    const podLabels = g.owner.spec.template.metadata.labels;
    const service = services.find((s) => matches(s.spec.selector, podLabels));
    if (!service) {
      err(`${id(g.owner)}: no Service`);
    } else {
      for (const [name, port] of Object.entries(g.ports)) {
        const sp = (service.spec.ports || []).find((p) => p.targetPort === name || p.targetPort === port ||
          (p.targetPort === undefined && p.port === port));
        if (!sp) err(`${id(service)}: does not publish the gateway's ${name} port ${port}`);
        else if (name === "grpc" && !/h2c|grpc/.test(sp.appProtocol || "")) {
          err(`${id(service)}: port ${sp.name} (gRPC) needs appProtocol kubernetes.io/h2c`);
        }
      }
      if (monitors.length > 0 && !monitors.some((m) => matches(m.spec?.selector?.matchLabels, service.metadata.labels) &&
          (m.spec.endpoints || []).some((e) => (service.spec.ports || []).some((p) => p.name === e.port &&
            (p.targetPort === "metrics" || p.port === g.ports.metrics))))) {
        err(`${id(g.owner)}: no ServiceMonitor scrapes metrics port ${g.ports.metrics} of Service ${service.metadata.name}`);
      }
    }
    if (policies.length > 0) {
      const own = policies.filter((p) => matches(p.spec?.podSelector?.matchLabels, podLabels));
      if (monitors.length > 0 && !own.some((p) => (p.spec.ingress || []).some((r) => (r.ports || []).some((pt) => pt.port === g.ports.metrics) &&
          (r.from || []).some((f) => f.namespaceSelector)))) {
        err(`${id(g.owner)}: no NetworkPolicy lets Prometheus scrape metrics port ${g.ports.metrics}`);
      }
      if (!own.some((p) => (p.spec.egress || []).some((r) => (r.ports || []).some((pt) => pt.port === 53 && pt.protocol === "UDP")))) {
        err(`${id(g.owner)}: no NetworkPolicy lets it resolve names (DNS 53/UDP)`);
      }
    }
    if (g.apiKeys) schemaJobs(g.owner, "gateway");
  }

  // Ingresses: each backend is a Service port of Deployment pods whose NetworkPolicies admit the
  // ingress controller (a peer from another namespace) on the pods' port; nginx's gRPC backend
  // protocol needs a gRPC port and TLS (it offers HTTP/2 to clients over TLS only).
  for (const ing of byKind("Ingress")) {
    for (const t of ing.spec?.tls || []) secretRef(ing, t.secretName);
    const protocol = (ing.metadata.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"] || "HTTP").toUpperCase();
    const tlsHosts = new Set((ing.spec?.tls || []).flatMap((t) => t.hosts || []));
    for (const rule of ing.spec?.rules || []) {
      if (/^GRPCS?$/.test(protocol) && !tlsHosts.has(rule.host)) err(`${id(ing)}: gRPC host ${rule.host} has no TLS entry`);
      for (const p of rule.http?.paths || []) {
        const b = p.backend?.service;
        if (!b) continue;
        const svc = services.find((x) => x.metadata.name === b.name);
        if (!svc) {
          err(`${id(ing)}: backend ${b.name} is not a rendered Service`);
          continue;
        }
        const sp = (svc.spec.ports || []).find((x) => (b.port?.number !== undefined && x.port === b.port.number) ||
          (b.port?.name !== undefined && x.name === b.port.name));
        if (!sp) {
          err(`${id(ing)}: Service ${b.name} has no port ${b.port?.number ?? b.port?.name}`);
          continue;
        }
        for (const t of templates.filter((x) => x.owner.kind === "Deployment" && matches(svc.spec.selector, x.labels))) {
          const cport = (t.spec.containers || []).flatMap((c) => c.ports || [])
            .find((cp) => (typeof sp.targetPort === "string" ? cp.name === sp.targetPort : cp.containerPort === (sp.targetPort ?? sp.port)));
          const grpc = cport?.name === "grpc";
          if (/^GRPCS?$/.test(protocol) !== grpc) {
            err(`${id(ing)}: backend-protocol ${protocol} but Service ${b.name} port ${sp.port} is ${grpc ? "a gRPC" : "not a gRPC"} port`);
          }
          const target = cport?.containerPort ?? sp.port;
          if (policies.length > 0 && !policies.some((np) => matches(np.spec?.podSelector?.matchLabels, t.labels) &&
              (np.spec.ingress || []).some((r) => portAdmits(r.ports, target) &&
                (!r.from || r.from.some((f) => f.namespaceSelector || f.ipBlock))))) {
            err(`${id(ing)}: no NetworkPolicy of ${id(t.owner)} admits the ingress controller on ${target}`);
          }
        }
      }
    }
  }

  // Databases: pods labelled component=database need a policy that admits 5432.
  const dbPods = templates.filter((t) => t.labels["app.kubernetes.io/component"] === "database");
  for (const c of byKind("Cluster")) {
    dbPods.push({ owner: c, labels: { ...(c.spec.inheritedMetadata?.labels || {}) } });
  }
  if (dbPods.length === 0) err("no PostgreSQL (StatefulSet or CloudNativePG Cluster) in the overlay");
  for (const p of dbPods) {
    if (policies.length > 0 && !policies.some((np) => matches(np.spec?.podSelector?.matchLabels, p.labels) &&
        (np.spec.ingress || []).some((r) => (r.ports || []).some((pt) => pt.port === 5432)))) {
      err(`${id(p.owner)}: no NetworkPolicy admits PostgreSQL clients on 5432`);
    }
  }
  // Every PostgreSQL client gets out to the database pods and is let in by them.
  for (const cl of policies.length > 0 ? dbClients : []) {
    const labels = cl.owner.spec.template.metadata.labels;
    for (const p of dbPods) {
      const out = policies.some((np) => matches(np.spec?.podSelector?.matchLabels, labels) &&
        (np.spec.egress || []).some((r) => peerMatches(r.to, p.labels) && portAdmits(r.ports, 5432)));
      if (!out) err(`${cl.where}: connects to PostgreSQL, but no NetworkPolicy lets it reach ${id(p.owner)} on 5432`);
      const inn = policies.some((np) => matches(np.spec?.podSelector?.matchLabels, p.labels) &&
        (np.spec.ingress || []).some((r) => peerMatches(r.from, labels) && portAdmits(r.ports, 5432)));
      if (!inn) err(`${cl.where}: connects to PostgreSQL, but no NetworkPolicy of ${id(p.owner)} admits it on 5432`);
    }
  }

  // CloudNativePG.
  for (const c of byKind("Cluster")) {
    const s = c.spec;
    if (!(s.instances >= 3)) err(`${id(c)}: expected at least 3 instances (primary and replicas)`);
    if (s.superuserSecret) secretRef(c, s.superuserSecret.name);
    for (const r of s.managed?.roles || []) {
      if (!r.passwordSecret?.name) err(`${id(c)}: managed role ${r.name} has no passwordSecret`);
      secretRef(c, r.passwordSecret?.name);
      if (r.login !== true) err(`${id(c)}: managed role ${r.name} must be a login role`);
    }
    const schemas = servers.map((d) => d.metadata.name.replace(/^lnob-/, ""));
    if (gateways.some((g) => g.apiKeys)) schemas.push("gateway");
    for (const svc of schemas) {
      for (const role of [`lnob_${svc}`, `lnob_${svc}_owner`]) {
        if (!(s.managed?.roles || []).some((r) => r.name === role)) err(`${id(c)}: no managed role ${role}`);
      }
    }
    if (!(s.managed?.services?.additional || []).some((a) => a.selectorType === "ro")) {
      err(`${id(c)}: no additional read-only service (reporting)`);
    }
    const creds = s.backup?.barmanObjectStore?.s3Credentials;
    if (creds) {
      secretRef(c, creds.accessKeyId?.name);
      secretRef(c, creds.secretAccessKey?.name);
    }
  }
  for (const b of byKind("ScheduledBackup")) {
    const cl = find("Cluster", b.spec?.cluster?.name);
    if (!cl) err(`${id(b)}: cluster ${b.spec?.cluster?.name} not rendered`);
    else if (!cl.spec.backup) err(`${id(b)}: cluster ${cl.metadata.name} declares no backup destination`);
    if ((b.spec?.schedule || "").trim().split(/\s+/).length !== 6) err(`${id(b)}: schedule needs 6 fields (seconds first)`);
  }

  // Monitoring content equals the sources in deploy/monitoring.
  const rules = byKind("PrometheusRule");
  if (monitors.length > 0) {
    if (rules.length !== 1) err(`expected one PrometheusRule, found ${rules.length}`);
    const source = yaml.load(fs.readFileSync(path.join(ROOT, "deploy/monitoring/rules.yaml"), "utf8"));
    if (rules[0] && !deepEqual(rules[0].spec, source)) {
      err("PrometheusRule differs from deploy/monitoring/rules.yaml: run deploy/monitoring/generate-prometheusrule.sh");
    }
    const dashDir = path.join(ROOT, "deploy/monitoring/dashboards");
    const files = fs.readdirSync(dashDir).filter((f) => f.endsWith(".json")).sort();
    const cm = byKind("ConfigMap").find((c) => c.metadata.labels?.grafana_dashboard === "1");
    if (!cm) {
      err("no ConfigMap labelled grafana_dashboard=1");
    } else {
      const keys = Object.keys(cm.data || {}).sort();
      if (!deepEqual(keys, files)) err(`dashboards ConfigMap holds ${keys.join(", ")}; deploy/monitoring/dashboards has ${files.join(", ")}`);
      for (const f of files) {
        if (cm.data?.[f] !== undefined && cm.data[f] !== fs.readFileSync(path.join(dashDir, f), "utf8")) {
          err(`dashboards ConfigMap: ${f} differs from deploy/monitoring/dashboards/${f}`);
        }
      }
    }
  }
}

// Dashboards are checked once (independent of overlays).
function checkDashboards(err) {
  const dashDir = path.join(ROOT, "deploy/monitoring/dashboards");
  const uids = new Set();
  for (const f of fs.readdirSync(dashDir).filter((x) => x.endsWith(".json"))) {
    let d;
    try {
      d = JSON.parse(fs.readFileSync(path.join(dashDir, f), "utf8"));
    } catch (e) {
      err(`${f}: not JSON: ${e.message}`);
      continue;
    }
    if (!d.uid || uids.has(d.uid)) err(`${f}: missing or duplicate uid`);
    uids.add(d.uid);
    const ids = new Set();
    for (const p of d.panels || []) {
      if (ids.has(p.id)) err(`${f}: duplicate panel id ${p.id}`);
      ids.add(p.id);
      if (["row", "text"].includes(p.type)) continue;
      if (!(p.targets || []).length || p.targets.some((t) => !t.expr)) err(`${f}: panel "${p.title}" has no PromQL target`);
      for (const t of p.targets || []) {
        const ds = t.datasource?.uid || p.datasource?.uid;
        if (ds !== "${datasource}") err(`${f}: panel "${p.title}" must use the $datasource variable`);
        if (/grpc_code=~"[^"]*"/.test(t.expr) && !/grpc_code(=~|!~)"Unknown\|Internal\|Unavailable\|DataLoss\|DeadlineExceeded"/.test(t.expr) &&
            !/grpc_code=~"\$/.test(t.expr)) {
          err(`${f}: panel "${p.title}": server-error code set must be ${SERVER_CODES.join("|")}`);
        }
      }
    }
  }
}

// ------------------------------------------------------------------ main
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate_objects.mjs RENDERED.yaml...");
  process.exit(2);
}
let failed = 0;
let passed = 0;
let objectsChecked = 0;
const dashErrors = [];
checkDashboards((m) => dashErrors.push(m));
if (dashErrors.length) {
  for (const m of dashErrors) console.error(`validate_objects: dashboards: ${m}`);
  failed++;
} else {
  passed++;
}
for (const file of files) {
  const name = path.basename(file, ".yaml");
  const errors = [];
  const err = (m) => errors.push(m);
  let objs = [];
  try {
    objs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  } catch (e) {
    err(`cannot parse: ${e.message}`);
  }
  for (const o of objs) {
    const Model = await modelFor(o.apiVersion || "", o.kind || "");
    if (!Model) {
      err(`${o.apiVersion} ${id(o)}: no published schema for this kind`);
      continue;
    }
    try {
      const unknown = validateTracked(Model, o);
      for (const u of unknown) err(`${o.apiVersion} ${id(o)}: unknown field ${u}`);
    } catch (e) {
      err(`${o.apiVersion} ${id(o)}: ${e.message.replace(/\n/g, "; ")}`);
    }
    objectsChecked++;
  }
  if (objs.length) checkOverlay(name, objs, err);
  if (errors.length) {
    failed++;
    for (const m of errors) console.error(`validate_objects: ${name}: ${m}`);
    console.error(`validate_objects: ${name}: FAILED (${errors.length} problems)`);
  } else {
    passed++;
    const kinds = [...new Set(objs.map((o) => o.kind))].sort().join(", ");
    console.log(`validate_objects: ${name}: ${objs.length} objects valid (${kinds})`);
  }
}
console.log(`validate_objects: ${objectsChecked} objects in ${files.length} renders`);
console.log(`validate_objects: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
