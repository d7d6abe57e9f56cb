// End-to-end: the gateway's gRPC passthrough called by Node's @grpc/grpc-js with
// @grpc/proto-loader (a client we did not write), in front of the real registry binary.
//
// Needs a PostgreSQL administrator connection (LNOB_TEST_ADMIN_URL, provided by ./lnob test),
// LNOB_BUILD_DIR, and the proto include directories (LNOB_GOOGLEAPIS_DIR, LNOB_GRPC_PROTO_DIR).
// Run through tests/gateway/grpc_js_e2e.sh, which installs the npm packages first.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BUILD = process.env.LNOB_BUILD_DIR ?? path.join(ROOT, 'build');
const BIN = path.join(BUILD, 'bin');
const ADMIN = process.env.LNOB_TEST_ADMIN_URL;
const GOOGLEAPIS = process.env.LNOB_GOOGLEAPIS_DIR ?? '/usr/share/gocode/src/github.com/gogo/googleapis';
const GRPC_PROTOS = process.env.LNOB_GRPC_PROTO_DIR ?? '/usr/share/grpc-proto';
const HS = 'lnob.registry.v1.HouseholdService';
const REF = 'lnob.registry.v1.ReferenceDataService';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// libpq "k=v k=v" with some keys replaced.
function dsn(overrides = {}) {
  const kv = Object.fromEntries(ADMIN.split(/\s+/).filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return [p.slice(0, i), p.slice(i + 1)];
  }));
  return Object.entries({ ...kv, ...overrides }).map(([k, v]) => `${k}=${v}`).join(' ');
}

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function waitFor(pred, timeoutMs = 20000, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await pred()) return true;
    } catch {
      // not yet
    }
    await sleep(stepMs);
  }
  return false;
}

// A fresh connection per scrape: the metrics endpoint closes idle keep-alive connections.
function scrape(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

// Sum of a Prometheus counter over the series whose labels include every given pair.
async function counter(url, name, labels) {
  const text = await scrape(url);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

const env = {};  // filled by before()

function startProcess(name, args, extraEnv, readyFile) {
  const log = path.join(env.tmp, `${name}.log`);
  const fd = openSync(log, 'a');
  // The gateway reads LNOB_<FLAG> too: hand each process only the variables meant for it.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LNOB_')));
  const proc = spawn(path.join(BIN, name === 'registry' ? 'registry' : 'gateway'), args,
                     { env: { ...base, ...extraEnv }, stdio: ['ignore', fd, fd] });
  proc.logFile = log;
  proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, ready: waitFor(() => existsSync(readyFile), 20000) };
}

async function startGateway(name, extraArgs) {
  const ready = path.join(env.tmp, `${name}.json`);
  const backends = [REF, HS].map((s) => `${s}=${env.registry}`).join(',');
  const { proc, ready: ok } = startProcess(name, [
    `--ready_file=${ready}`, '--http_port=0', '--grpc_port=0', '--metrics_port=0',
    '--listen_host=127.0.0.1', '--metrics_host=127.0.0.1', `--backends=${backends}`,
    `--jwt_public_keys=${env.tmp}/trusted.pem`, ...extraArgs], {}, ready);
  if (!(await ok)) throw new Error(`${name} did not become ready:\n${readFileSync(proc.logFile, 'utf8')}`);
  const ports = JSON.parse(readFileSync(ready, 'utf8'));
  return { proc, grpc: `127.0.0.1:${ports.grpc_port}`, metrics: `http://127.0.0.1:${ports.metrics_port}/metrics`, ports };
}

const packageDefinition = protoLoader.loadSync(
  ['lnob/registry/v1/reference_data.proto', 'lnob/registry/v1/households.proto', 'grpc/health/v1/health.proto'],
  { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
    includeDirs: [path.join(ROOT, 'proto'), GOOGLEAPIS, GRPC_PROTOS, '/usr/include'] });
const api = grpc.loadPackageDefinition(packageDefinition);

function clientsFor(target) {
  const creds = grpc.credentials.createInsecure();
  return {
    ref: new api.lnob.registry.v1.ReferenceDataService(target, creds),
    hs: new api.lnob.registry.v1.HouseholdService(target, creds),
    health: new api.grpc.health.v1.Health(target, creds),
    raw: new grpc.Client(target, creds),
  };
}

function md(token, extra = {}) {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}

// Unary call; resolves with {resp, headers}; rejects with the grpc-js error.
function call(client, method, req, { token = env.admin, meta = {}, deadlineMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    let headers;
    const c = client[method](req, md(token, meta), { deadline: Date.now() + deadlineMs }, (err, resp) =>
      (err ? reject(err) : resolve({ resp, headers })));
    c.on('metadata', (h) => { headers = h; });
  });
}
const unary = async (...args) => (await call(...args)).resp;

async function expectCode(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${grpc.status[err.code]}: ${err.details}`);
    return err;
  }
  assert.fail(`expected ${grpc.status[code]}, the call succeeded`);
}

const indicators = (deprived) => Array.from({ length: 12 }, (_, i) => ({
  code: `D${String(i + 1).padStart(2, '0')}`, deprived: i < deprived }));

const person = (fullName, relation, extra = {}) =>
  ({ fullName, relation, sex: 'FEMALE', ethnicityCode: '16', birthDate: { year: 1980, month: 5, day: 6 }, ...extra });

before(async () => {
  if (!ADMIN) throw new Error('LNOB_TEST_ADMIN_URL is not set: run through ./lnob test');
  const suffix = randomBytes(4).toString('hex');
  Object.assign(env, {
    db: `e2e_js_${suffix}`, owner: `lnob_registry_owner_${suffix}`, svc: `lnob_registry_${suffix}`,
    tmp: mkdtempSync(path.join(tmpdir(), 'lnob-grpcjs-')),
  });
  run('psql', [dsn(), '-qc', `CREATE DATABASE ${env.db}`]);
  const lnobctl = path.join(BIN, 'lnobctl');
  run(lnobctl, ['bootstrap', `--admin_url=${dsn({ dbname: env.db })}`, '--service=registry',
    `--owner_role=${env.owner}`, `--service_role=${env.svc}`,
    `--owner_password=o-${suffix}`, `--service_password=s-${suffix}`]);
  run(lnobctl, ['migrate', '--service=registry',
    `--database_url=${dsn({ dbname: env.db, user: env.owner, password: `o-${suffix}` })}`]);
  const serviceUrl = dsn({ dbname: env.db, user: env.svc, password: `s-${suffix}` });
  run(lnobctl, ['refdata', 'load', `--database_url=${serviceUrl}`]);
  run(lnobctl, ['keys', `--dir=${env.tmp}`]);
  // The gateway's own pair, allowed to sign API-key tokens only; everyone trusts both.
  run(lnobctl, ['keys', `--dir=${env.tmp}/gateway`, '--for=gateway']);
  writeFileSync(`${env.tmp}/trusted.pem`, readFileSync(`${env.tmp}/jwt_public.pem`, 'utf8') +
    readFileSync(`${env.tmp}/gateway/jwt_public.pem`, 'utf8'));
  const token = (roles) => run(lnobctl, ['token', `--private_key=${env.tmp}/jwt_private.pem`,
    `--roles=${roles}`, '--ttl=20m', `--subject=js-${roles.toLowerCase()}`]).trim();
  env.admin = token('PROVINCE_ADMIN');
  // Approvals come from another person than the submitter (maker-checker).
  env.checker = run(lnobctl, ['token', `--private_key=${env.tmp}/jwt_private.pem`, '--roles=PROVINCE_ADMIN',
    '--ttl=20m', '--subject=js-checker']).trim();
  env.viewer = token('VIEWER');

  const registryReady = path.join(env.tmp, 'registry.json');
  const reg = startProcess('registry', [`--ready_file=${registryReady}`], {
    LNOB_DATABASE_URL: serviceUrl, LNOB_JWT_PUBLIC_KEYS: `${env.tmp}/trusted.pem`,
    LNOB_PAGE_TOKEN_SECRET: randomBytes(16).toString('hex'), LNOB_GRPC_PORT: '0', LNOB_METRICS_PORT: '0',
    LNOB_LISTEN_HOST: '127.0.0.1', LNOB_METRICS_HOST: '127.0.0.1', LNOB_HEALTH_INTERVAL: '200ms',
    LNOB_SHUTDOWN_GRACE: '100ms' }, registryReady);
  env.registryProc = reg.proc;
  if (!(await reg.ready)) throw new Error(`registry did not become ready:\n${readFileSync(reg.proc.logFile, 'utf8')}`);
  const regPorts = JSON.parse(readFileSync(registryReady, 'utf8'));
  env.registry = `127.0.0.1:${regPorts.grpc_port}`;
  env.registryMetrics = `http://127.0.0.1:${regPorts.metrics_port}/metrics`;

  // The gateway's own schema (API keys), for a third gateway that accepts them.
  const gwOwner = `lnob_gateway_owner_${suffix}`;
  const gwLogin = `lnob_gateway_${suffix}`;
  env.extraRoles = [gwLogin, gwOwner];
  run(lnobctl, ['bootstrap', `--admin_url=${dsn({ dbname: env.db })}`, '--service=gateway',
    `--owner_role=${gwOwner}`, `--service_role=${gwLogin}`,
    `--owner_password=o-${suffix}`, `--service_password=s-${suffix}`]);
  run(lnobctl, ['migrate', '--service=gateway',
    `--database_url=${dsn({ dbname: env.db, user: gwOwner, password: `o-${suffix}` })}`]);
  env.gatewayDbUrl = dsn({ dbname: env.db, user: gwLogin, password: `s-${suffix}` });

  env.gw = await startGateway('gateway', ['--rate_limit_rps=1000', '--rate_limit_burst=1000']);
  // A second gateway whose unary cap is tiny and whose rate limit is three calls.
  env.gwTight = await startGateway('gateway-tight', ['--timeout=1us', '--rate_limit_rps=0.001', '--rate_limit_burst=3']);
  env.c = clientsFor(env.gw.grpc);
  env.tight = clientsFor(env.gwTight.grpc);
});

after(async () => {
  for (const p of [env.gw?.proc, env.gwTight?.proc, env.gwKeys?.proc, env.registryProc]) {
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await Promise.race([p.exited, sleep(10000)]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }
  if (env.db) {
    for (const sql of [`DROP DATABASE IF EXISTS ${env.db} WITH (FORCE)`, `DROP ROLE IF EXISTS ${env.svc}`,
      `DROP ROLE IF EXISTS ${env.owner}`, ...(env.extraRoles ?? []).map((r) => `DROP ROLE IF EXISTS ${r}`)]) {
      try { run('psql', [dsn(), '-qc', sql]); } catch { /* best effort */ }
    }
  }
  if (env.tmp && !process.env.LNOB_KEEP_TMP) rmSync(env.tmp, { recursive: true, force: true });
});

test('ready file reports the gRPC port; the gateway serves the standard health service', async () => {
  assert.ok(env.gw.ports.grpc_port > 0 && env.gw.ports.http_port > 0 && env.gw.ports.metrics_port > 0);
  const check = (service) => new Promise((resolve, reject) => env.c.health.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))));
  assert.equal(await check(''), 'SERVING');
  // Per routed service the gateway mirrors its backend's health.
  assert.ok(await waitFor(async () => (await check(HS)) === 'SERVING', 10000), 'HouseholdService not SERVING');
});

test('reference data through the gateway', async () => {
  const { ref } = env.c;
  const unit = await unary(ref, 'getAdminUnit', { name: 'adminUnits/25198', asOf: { year: 2023, month: 1, day: 1 } });
  assert.equal(unit.displayName, 'Phường Tân Đồng');
  const children = await unary(ref, 'listAdminUnits', { parentCode: '70', asOf: { year: 2023, month: 6, day: 1 } });
  assert.equal(children.adminUnits.length, 11);
  const trace = await unary(ref, 'traceAdminUnit', { name: 'adminUnits/25198' });
  assert.deepEqual(trace.units.map((u) => u.code), ['25195']);
  const inside = await unary(ref, 'checkContainment', { unit: 'adminUnits/25198', ancestor: 'adminUnits/70', asOf: { year: 2023, month: 6, day: 1 } });
  assert.equal(inside.contained, true);
  const lineage = await unary(ref, 'listLineageEvents', { code: '25198' });
  assert.ok(lineage.events.some((e) => e.newCode === '25195'));
  const standards = await unary(ref, 'listPovertyStandards', {});
  assert.ok(standards.povertyStandards.some((s) => s.id === 'PS_2022_2025'));
  const standard = await unary(ref, 'getPovertyStandard', { name: 'povertyStandards/PS_2022_2025' });
  assert.equal(standard.indicators.length, 12);
  const cls = await unary(ref, 'classifyProfile', { date: { year: 2025, month: 9, day: 1 }, unitCode: '25270',
    incomePerCapitaVnd: '1500000', deprivedIndicators: ['D01', 'D04', 'D09'] });
  assert.equal(cls.classification, 'POOR');
  assert.equal(cls.standardId, 'PS_2022_2025');
  const groups = await unary(ref, 'listEthnicGroups', {});
  assert.equal(groups.ethnicGroups.length, 54);

  const created = await unary(ref, 'createAreaClassification', { requestId: randomUUID(), areaClassification: {
    unitCode: '25195', villageName: 'Ấp Thử Nghiệm', region: 'ESPECIALLY_DIFFICULT_VILLAGE',
    validFrom: { year: 2022, month: 1, day: 1 }, legalDoc: 'QĐ 1/QĐ-TEST', illustrative: true } });
  assert.match(created.name, /^areaClassifications\//);
  const got = await unary(ref, 'getAreaClassification', { name: created.name });
  assert.equal(got.villageName, 'Ấp Thử Nghiệm');
  const updated = await unary(ref, 'updateAreaClassification', {
    areaClassification: { name: created.name, etag: got.etag, note: 'through grpc-js' }, updateMask: { paths: ['note'] } });
  assert.equal(updated.note, 'through grpc-js');
  const listed = await unary(ref, 'listAreaClassifications', { unitCode: '25195' });
  assert.ok(listed.areaClassifications.some((a) => a.name === created.name));
  const changes = await unary(ref, 'listReferenceDataChanges', {});
  assert.ok(changes.changes.length >= 2);
});

test('households, members, reviews workflow, classification, statistics and targets', async () => {
  const { hs } = env.c;
  const requestId = randomUUID();
  const createReq = { requestId, household: { communeCode: '25195', village: 'Ấp 1', address: '12 Đường A',
    members: [person('Điểu Thị Gờ Rếch', 'HEAD'), person('Điểu Văn Con', 'CHILD', { sex: 'MALE', birthDate: { year: 2010, month: 1, day: 2 } })] } };
  const h = await unary(hs, 'createHousehold', createReq);
  assert.match(h.name, /^households\//);
  assert.equal((await unary(hs, 'createHousehold', createReq)).name, h.name);  // idempotent replay
  env.household = h.name;

  const read = await unary(hs, 'getHousehold', { name: h.name });
  assert.equal(read.communeCode, '25195');
  assert.equal(read.members.length, 2);
  const up = await unary(hs, 'updateHousehold', { household: { name: h.name, village: 'Ấp 2', etag: read.etag },
    updateMask: { paths: ['village'] } });
  assert.equal(up.village, 'Ấp 2');
  assert.equal((await unary(hs, 'getHousehold', { name: h.name })).village, 'Ấp 2');
  const found = await unary(hs, 'listHouseholds', { nameQuery: 'dieu thi go rech' });
  assert.deepEqual(found.households.map((x) => x.name), [h.name]);

  const added = await unary(hs, 'addMember', { parent: h.name, member: person('Điểu Thị Cháu', 'GRANDCHILD') });
  assert.equal(added.members.length, 3);
  const grandchild = added.members.find((m) => m.fullName === 'Điểu Thị Cháu');
  const removed = await unary(hs, 'removeMember', { name: grandchild.name, reason: 'moved out',
    leftOn: { year: 2025, month: 2, day: 1 } });
  assert.equal(removed.members.filter((m) => m.active).length, 2);

  // Split the child into a household of its own, then merge it back.
  const child = removed.members.find((m) => m.fullName === 'Điểu Văn Con');
  const split = await unary(hs, 'splitHousehold', { name: h.name, memberNames: [child.name] });
  assert.equal(split.created.members.length, 1);
  assert.equal(split.created.members[0].relation, 'HEAD');
  const merged = await unary(hs, 'mergeHouseholds', { name: h.name, source: split.created.name });
  assert.equal(merged.members.filter((m) => m.active).length, 2);
  const events = await unary(hs, 'listHouseholdEvents', { name: h.name });
  const kinds = new Set(events.events.map((e) => e.kind));
  for (const k of ['CREATED', 'UPDATED', 'MEMBER_ADDED', 'MEMBER_REMOVED', 'MERGED_FROM']) assert.ok(kinds.has(k), `${k} in ${[...kinds]}`);

  // Reviews (brief §2.3): draft -> submitted -> posted -> approved; a second one rejected.
  const review = await unary(hs, 'createReview', { parent: h.name, requestId: randomUUID(), review: {
    kind: 'PERIODIC', reviewDate: { year: 2024, month: 10, day: 15 }, incomePerCapitaVnd: '1000000', indicators: indicators(4) } });
  assert.equal(review.state, 'DRAFT');
  assert.equal(review.computedClass, 'POOR');
  assert.equal((await unary(hs, 'getReview', { name: review.name })).standardId, 'PS_2022_2025');
  // Until 30 June 2025 the district chair was consulted before recognition.
  const recognise = { name: review.name, decisionNumber: '1/QĐ-UBND', decisionDate: { year: 2024, month: 12, day: 20 },
    consultedOn: { year: 2024, month: 12, day: 18 }, consultationDocument: '40/UBND' };
  await expectCode(unary(hs, 'approveReview', recognise), grpc.status.FAILED_PRECONDITION);
  assert.equal((await unary(hs, 'submitReview', { name: review.name })).state, 'SUBMITTED');
  await expectCode(unary(hs, 'approveReview', recognise, { token: env.checker }), grpc.status.FAILED_PRECONDITION);
  assert.equal((await unary(hs, 'postReview', { name: review.name, postedOn: { year: 2024, month: 12, day: 16 } })).state, 'POSTED');
  const selfApproval = await expectCode(unary(hs, 'approveReview', recognise), grpc.status.PERMISSION_DENIED);
  assert.match(selfApproval.details, /approver must not be the submitter/);
  const approved = await unary(hs, 'approveReview', recognise, { token: env.checker });
  assert.equal(approved.state, 'APPROVED');
  const second = await unary(hs, 'createReview', { parent: h.name, review: {
    kind: 'ONGOING', reviewDate: { year: 2025, month: 3, day: 17 }, incomePerCapitaVnd: '2500000', indicators: indicators(0) } });
  await unary(hs, 'submitReview', { name: second.name });
  assert.equal((await unary(hs, 'rejectReview', { name: second.name, reason: 'wrong income' })).state, 'REJECTED');
  const reviews = await unary(hs, 'listReviews', { parent: h.name });
  assert.deepEqual(reviews.reviews.map((r) => r.state).sort(), ['APPROVED', 'REJECTED']);

  const before = await unary(hs, 'getClassification', { name: h.name, asOf: { year: 2024, month: 12, day: 19 } });
  const now = await unary(hs, 'getClassification', { name: h.name });
  assert.equal(before.classification, 'HOUSEHOLD_CLASS_UNSPECIFIED');
  assert.equal(now.classification, 'POOR');
  assert.equal(now.decisionNumber, '1/QĐ-UBND');
  const facts = await unary(hs, 'batchGetHouseholdFacts', { queries: [
    { household: h.name }, { household: h.name, date: { year: 2024, month: 12, day: 19 } },
    { household: 'households/0190c0de-0000-7000-8000-00000000ffff' }] });
  assert.deepEqual(facts.facts.map((f) => [f.found, f.classification]),
                   [[true, 'POOR'], [true, 'HOUSEHOLD_CLASS_UNSPECIFIED'], [false, 'HOUSEHOLD_CLASS_UNSPECIFIED']]);
  assert.equal(facts.facts[0].communeCode, read.communeCode);

  const transitions = await unary(hs, 'listTransitions', { year: 2024 });
  // The household's first recorded classification: a baseline, not a flow.
  const newPoor = transitions.counts.find((c) => c.category === 'BASELINE_POOR');
  assert.ok(newPoor && Number(newPoor.households) >= 1 && Number(newPoor.ethnicMinorityHouseholds) >= 1, JSON.stringify(transitions.counts));
  const stats = await unary(hs, 'getStatistics', { year: 2024 });
  const emPoor = stats.rows.filter((r) => r.ethnicGroup === 'EM' && r.classification === 'POOR')
    .reduce((n, r) => n + Number(r.households), 0);
  assert.ok(emPoor >= 1, JSON.stringify(stats.rows));

  const target = await unary(hs, 'createTarget', { requestId: randomUUID(), target: { id: 'JS_EM_ESCAPES', kind: 'EM_POOR_ESCAPES_PER_YEAR',
    yearFrom: 2024, yearTo: 2025, threshold: '5', legalDoc: 'KH 1/KH-TEST', description: 'grpc-js' } });
  assert.equal(target.name, 'targets/JS_EM_ESCAPES');
  const targets = await unary(hs, 'listTargets', {});
  assert.ok(targets.targets.some((t) => t.id === 'JS_EM_ESCAPES') && targets.targets.some((t) => t.id === 'EM_POOR_ESCAPE_1000'));
  const progress = await unary(hs, 'getTargetProgress', { name: target.name, year: 2024 });
  assert.equal(progress.years.length, 1);
  assert.equal(progress.years[0].threshold, '5');
  assert.equal(progress.years[0].met, false);

  // Moved to another commune (last: it changes the household's commune).
  const current = await unary(hs, 'getHousehold', { name: h.name });
  const moved = await unary(hs, 'moveHousehold', { name: h.name, communeCode: '26359', etag: current.etag });
  assert.equal(moved.communeCode, '26359');
});

const IMPORTED = 1500;

test('client-streaming ImportHouseholds and server-streaming ExportHouseholds', async () => {
  const importId = randomUUID();
  const started = Date.now();
  const resp = await new Promise((resolve, reject) => {
    const stream = env.c.hs.importHouseholds(md(env.admin), { deadline: Date.now() + 120000 },
      (err, r) => (err ? reject(err) : resolve(r)));
    // Respect back-pressure: write() returns false when the stream wants us to wait.
    let i = 0;
    const pump = () => {
      while (i <= IMPORTED) {
        const msg = i === 0 ? { importId } : { rowNumber: String(i + 1), record: {
          externalId: `JS-${i}`,
          household: { communeCode: '25195', members: [person(`Điểu Thị Nhập ${i}`, 'HEAD')] },
          reviews: [{ kind: 'PERIODIC', reviewDate: { year: 2024, month: 10, day: 2 }, incomePerCapitaVnd: '1200000',
            indicators: indicators(3), decisionNumber: '7/QĐ-UBND', decisionDate: { year: 2024, month: 12, day: 20 } }] } };
        i += 1;
        if (!stream.write(msg)) {
          stream.once('drain', pump);
          return;
        }
      }
      stream.end();
    };
    pump();
  });
  const importMs = Date.now() - started;
  assert.equal(resp.rowsFailed, '0', JSON.stringify(resp.errors?.slice(0, 3)));
  assert.equal(resp.rowsReceived, String(IMPORTED));
  assert.equal(resp.rowsCommitted, String(IMPORTED));

  const exportStarted = Date.now();
  const exported = await new Promise((resolve, reject) => {
    const ids = [];
    const stream = env.c.hs.exportHouseholds({ unitCode: '25195', includeReviews: true }, md(env.admin),
      { deadline: Date.now() + 120000 });
    stream.on('data', (rec) => { if (rec.externalId.startsWith('JS-')) ids.push(rec); });
    stream.on('error', reject);
    stream.on('end', () => resolve(ids));
  });
  assert.equal(exported.length, IMPORTED);
  assert.equal(new Set(exported.map((r) => r.externalId)).size, IMPORTED);
  assert.equal(exported[0].reviews[0].computedClass, 'POOR');
  console.log(`# import ${IMPORTED} rows: ${importMs} ms; export: ${Date.now() - exportStarted} ms (through the gateway)`);
});

function watch(client, fromCursor, token, deadlineMs) {
  const opts = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
  return client.watchChanges({ fromCursor: String(fromCursor) }, md(token), opts);
}

const watchEnded = (labels = {}) => counter(env.registryMetrics, 'grpc_server_handled_total',
  { grpc_method: 'WatchChanges', ...labels });

test('WatchChanges delivers a change made through another call; cancelling it ends the backend call', async () => {
  const { hs } = env.c;
  const h = await unary(hs, 'createHousehold', { household: { communeCode: '25195', members: [person('Điểu Thị Theo Dõi', 'HEAD')] } });
  const review = await unary(hs, 'createReview', { parent: h.name, review: { kind: 'PERIODIC',
    reviewDate: { year: 2025, month: 10, day: 1 }, incomePerCapitaVnd: '900000', indicators: indicators(5) } });
  await unary(hs, 'submitReview', { name: review.name });
  await unary(hs, 'postReview', { name: review.name, postedOn: { year: 2025, month: 11, day: 20 } });
  const backendBefore = await watchEnded();
  const gatewayRunning = () => counter(env.gw.metrics, 'grpc_server_started_total', { grpc_method: 'WatchChanges' });
  const stream = watch(hs, 0, env.admin);  // no deadline: lives until cancelled
  let approvedSent = false;
  const event = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change event for the approved review')), 30000);
    stream.on('data', async (ev) => {
      if (!approvedSent) {
        approvedSent = true;  // the stream is live: now change something through another call
        unary(hs, 'approveReview', { name: review.name, decisionNumber: '9/QĐ-UBND',
          decisionDate: { year: 2025, month: 12, day: 1 } }, { token: env.checker }).catch(reject);
      }
      if (ev.household === h.name) {
        clearTimeout(timer);
        resolve(ev);
      }
    });
    stream.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) reject(e); });
  });
  assert.equal(event.kind, 'CLASSIFICATION_CHANGED');
  assert.equal(event.classification, 'POOR');
  assert.ok(Number(event.cursor) > 0);
  assert.ok((await gatewayRunning()) >= 1);
  const cancelled = new Promise((resolve) => stream.on('error', resolve));
  stream.cancel();
  assert.equal((await cancelled).code, grpc.status.CANCELLED);
  // The registry's WatchChanges handler returns once the gateway cancels its call.
  assert.ok(await waitFor(async () => (await watchEnded()) > backendBefore, 10000),
    'the backend WatchChanges call did not end after the client cancelled');
  assert.ok(await waitFor(async () => (await counter(env.gw.metrics, 'grpc_server_handled_total',
    { grpc_method: 'WatchChanges', grpc_code: 'Canceled' })) >= 1, 5000));
});

test('one client cannot hold every stream: past --max_streams_per_client it gets RESOURCE_EXHAUSTED, others are served', async () => {
  const gw = await startGateway('gateway-streams', ['--max_streams_per_client=3']);
  try {
    const c = clientsFor(gw.grpc);
    const open = [];
    const opened = (s) => new Promise((resolve, reject) => {
      s.on('metadata', resolve);  // the backend answered: the stream is live
      s.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) reject(e); });
    });
    for (let i = 0; i < 3; ++i) {
      const s = watch(c.hs, 0, env.admin);
      open.push(s);
      await opened(s);
    }
    const refused = await new Promise((resolve) => {
      const s = watch(c.hs, 0, env.admin);
      s.on('error', resolve);
      s.on('data', () => {});
    });
    assert.equal(refused.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(refused.details, /streams open/);
    // Another client is not limited by this one.
    const systemClient = run(path.join(BIN, 'lnobctl'), ['token', `--private_key=${env.tmp}/jwt_private.pem`,
      '--roles=SYSTEM_CLIENT', '--ttl=5m', '--subject=js-other-system']).trim();
    const other = watch(c.hs, 0, systemClient);
    await opened(other);
    other.cancel();
    // Closing one frees a place.
    open[0].cancel();
    assert.ok(await waitFor(async () => {
      const s = watch(c.hs, 0, env.admin);
      try {
        await opened(s);
        open.push(s);
        return true;
      } catch (e) {
        return false;
      }
    }, 5000));
    for (const s of open) s.cancel();
  } finally {
    gw.proc.kill('SIGTERM');
  }
});

test('the caller deadline reaches the backend: an idle WatchChanges ends with DEADLINE_EXCEEDED', async () => {
  const backendBefore = await watchEnded();
  const started = Date.now();
  const err = await new Promise((resolve) => {
    const s = watch(env.c.hs, '1000000000000', env.admin, 1500);
    s.on('data', () => {});
    s.on('error', resolve);
    s.on('end', () => resolve({ code: grpc.status.OK }));
  });
  assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started < 5000);
  assert.ok(await waitFor(async () => (await watchEnded()) > backendBefore, 10000), 'backend WatchChanges still running');
});

test('metadata: x-request-id and traceparent are forwarded, status details come back unchanged', async () => {
  const traceId = randomBytes(16).toString('hex');
  const requestId = `js-${randomBytes(6).toString('hex')}`;
  const { headers } = await call(env.c.ref, 'listEthnicGroups', {}, { meta: {
    'x-request-id': requestId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
  assert.deepEqual(headers.get('x-request-id'), [requestId]);
  // The registry logged the call with the caller's trace and request ids.
  assert.ok(await waitFor(() => readFileSync(env.registryProc.logFile, 'utf8').split('\n').some((l) =>
    l.includes(`"trace_id":"${traceId}"`) && l.includes(`"request_id":"${requestId}"`) && l.includes('ListEthnicGroups')), 5000));
  const err = await expectCode(unary(env.c.ref, 'classifyProfile', { incomePerCapitaVnd: '-5', areaType: 'AREA_TYPE_RURAL' }),
    grpc.status.INVALID_ARGUMENT);
  const [details] = err.metadata.get('grpc-status-details-bin');
  assert.ok(Buffer.isBuffer(details), 'grpc-status-details-bin missing');
  assert.ok(details.includes('type.googleapis.com/google.rpc.BadRequest'));
  assert.ok(details.includes('income_per_capita_vnd'));
});

test('identity and routing are decided by the gateway before any backend is contacted', async () => {
  const started = (method) => counter(env.registryMetrics, 'grpc_server_started_total', { grpc_method: method });
  const createsBefore = await started('CreateHousehold');
  const listsBefore = await started('ListEthnicGroups');
  const household = { communeCode: '25195', members: [person('Không Được', 'HEAD')] };
  const missing = await expectCode(unary(env.c.ref, 'listEthnicGroups', {}, { token: null }), grpc.status.UNAUTHENTICATED);
  assert.match(missing.details, /bearer/);
  await expectCode(unary(env.c.ref, 'listEthnicGroups', {}, { token: 'a.b.c' }), grpc.status.UNAUTHENTICATED);
  const denied = await expectCode(unary(env.c.hs, 'createHousehold', { household }, { token: env.viewer }), grpc.status.PERMISSION_DENIED);
  assert.match(denied.details, /registry\.households\.write/);
  // The viewer may read reference data.
  assert.equal((await unary(env.c.ref, 'listEthnicGroups', {}, { token: env.viewer })).ethnicGroups.length, 54);
  const raw = (target, method) => new Promise((resolve, reject) => target.raw.makeUnaryRequest(method, (x) => x, (x) => x,
    Buffer.alloc(0), md(env.admin), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r))));
  await expectCode(raw(env.c, '/lnob.nowhere.v1.NoService/Call'), grpc.status.UNIMPLEMENTED);
  await expectCode(raw(env.c, `/${HS}/DropEverything`), grpc.status.UNIMPLEMENTED);
  await sleep(300);
  assert.equal(await started('CreateHousehold'), createsBefore);
  assert.equal(await started('ListEthnicGroups'), listsBefore + 1);  // only the viewer's call
  const text = await scrape(env.gw.metrics);
  assert.match(text, /grpc_server_handled_total\{[^}]*grpc_code="PermissionDenied"[^}]*grpc_method="CreateHousehold"/);
  assert.match(text, /grpc_server_handled_total\{[^}]*grpc_code="Unimplemented"[^}]*grpc_method="unknown"/);
  assert.match(text, /grpc_client_handled_total\{[^}]*grpc_code="OK"[^}]*grpc_method="CreateHousehold"[^}]*grpc_service="lnob.registry.v1.HouseholdService"/);
});

test('--timeout caps unary calls only; streams keep the caller deadline; the rate limit applies', async () => {
  const { ref, hs } = env.tight;
  // 1: unary, capped at 1us by the gateway although the caller allows 15 s.
  await expectCode(unary(ref, 'listEthnicGroups', {}), grpc.status.DEADLINE_EXCEEDED);
  // 2: a stream through the same gateway is not capped.
  const ev = await new Promise((resolve, reject) => {
    const s = watch(hs, 0, env.admin, 15000);
    s.on('data', (e) => { resolve(e); s.cancel(); });
    s.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) reject(e); });
  });
  assert.ok(Number(ev.cursor) > 0);
  // 3 is the last of the burst; 4 is over the rate.
  await expectCode(unary(ref, 'listEthnicGroups', {}), grpc.status.DEADLINE_EXCEEDED);
  const limited = await expectCode(unary(ref, 'listEthnicGroups', {}), grpc.status.RESOURCE_EXHAUSTED);
  assert.match(limited.details, /rate limit/);
});

test('API keys: a call made with a key acts with the token the gateway minted for it', async () => {
  const { hs } = env.c;
  // Without API keys enabled the key is refused, and never forwarded.
  const off = await expectCode(unary(hs, 'listHouseholds', {}, { token: null, meta: { 'x-api-key': 'lnob_0000_nothing' } }),
    grpc.status.UNAUTHENTICATED);
  assert.match(off.details, /not enabled/);
  env.gwKeys = await startGateway('gateway-keys', [`--database_url=${env.gatewayDbUrl}`,
    `--jwt_signing_key=${env.tmp}/gateway/jwt_private.pem`, `--page_token_secret=${randomBytes(16).toString('hex')}`,
    '--admin_grpc_port=0']);
  const expire = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await fetch(`http://127.0.0.1:${env.gwKeys.ports.http_port}/v1/apiKeys`, { method: 'POST',
    headers: { authorization: `Bearer ${env.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'grpc-js client', roles: ['SYSTEM_CLIENT'], expireTime: expire }) });
  const created = await res.json();
  assert.equal(res.status, 200, JSON.stringify(created));
  const keys = clientsFor(env.gwKeys.grpc);
  const withKey = { token: null, meta: { 'x-api-key': created.secret } };
  const h = await unary(keys.hs, 'getHousehold', { name: env.household }, withKey);
  assert.equal(h.name, env.household);
  await expectCode(unary(keys.hs, 'createHousehold', { household: { communeCode: '25195', members: [person('Khóa', 'HEAD')] } }, withKey),
    grpc.status.PERMISSION_DENIED);
  await expectCode(unary(keys.hs, 'getHousehold', { name: env.household }, { token: null, meta: { 'x-api-key': `${created.secret}x` } }),
    grpc.status.UNAUTHENTICATED);
  // The registry saw the key's subject, not the caller's header.
  assert.ok(await waitFor(() => readFileSync(env.registryProc.logFile, 'utf8').split('\n').some((l) =>
    l.includes('"grpc_method":"GetHousehold"') && l.includes('"subject":"apikey:')), 5000));
});

test('SIGTERM: health NOT_SERVING, open streams are ended, the gateway exits 0', async () => {
  const s = watch(env.c.hs, '1000000000000', env.admin);
  const ended = new Promise((resolve) => { s.on('error', resolve); s.on('end', () => resolve({ code: grpc.status.OK })); s.on('data', () => {}); });
  await sleep(300);
  const t0 = Date.now();
  env.gw.proc.kill('SIGTERM');
  const exit = await Promise.race([env.gw.proc.exited, sleep(20000).then(() => ({ code: 'timeout' }))]);
  assert.equal(exit.code, 0);
  const err = await ended;
  assert.ok([grpc.status.CANCELLED, grpc.status.UNAVAILABLE].includes(err.code), `stream ended with ${grpc.status[err.code]}`);
  console.log(`# gateway stopped in ${Date.now() - t0} ms with a stream open`);
});
