import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { OPENFAAS_TOOLS } from '../../../functions/local/openfaas-tools.js';
import { loadConfig } from '../../../functions/local/config.js';
import { REPO, type Stack, dockerfileOf, durationSeconds, imageEnvironment, readStack, stackEnvironment } from '../../support/openfaas.js';

/**
 * What faas-netes, the Community Edition's provider, refuses with a 400
 * (openfaas/faas-netes `pkg/handlers/validate.go`, `ValidateDeployRequest`
 * and `validateScalingLabels`; the limits in `pkg/handlers/replica_reader.go`:
 * `MaxReplicas = 5`, `MaxFunctions = 15`). Its `deploy.go` and `update.go` also
 * refuse images an anonymous client cannot pull (`isAnonymous`), which no file
 * can show: the README says so.
 */
function communityEditionRefusals(name: string, image: string, labels: Record<string, string>): string[] {
  const refusals: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) refusals.push(`${name}: not a valid DNS entry`);
  if (!image) refusals.push(`${name}: image is required`);
  if (labels['com.openfaas.scale.zero'] === 'true') refusals.push(`${name}: com.openfaas.scale.zero not available`);
  for (const label of ['com.openfaas.scale.zero-duration', 'com.openfaas.scale.target', 'com.openfaas.scale.type']) {
    if (label in labels) refusals.push(`${name}: ${label} not available`);
  }
  for (const label of ['com.openfaas.scale.max', 'com.openfaas.scale.min']) {
    const value = Number.parseInt(labels[label] ?? '', 10);
    if (value > 5) refusals.push(`${name}: ${label} is set too high`);
  }
  return refusals;
}

/**
 * What OpenFaaS Pro's autoscaler reads (docs.openfaas.com/architecture/autoscaling:
 * `com.openfaas.scale.type` one of rps, capacity or cpu, or a custom rule;
 * `target` a load per replica; `target-proportion` a fraction; `min` and `max`
 * the replica bounds).
 */
function proAutoscalerProblems(name: string, labels: Record<string, string>): string[] {
  const problems: string[] = [];
  const type = labels['com.openfaas.scale.type'];
  if (type !== undefined && !['rps', 'capacity', 'cpu'].includes(type)) problems.push(`${name}: scale.type ${type} is not a built-in mode`);
  const target = labels['com.openfaas.scale.target'];
  if (target !== undefined && !/^[1-9]\d*$/.test(target)) problems.push(`${name}: scale.target must be a positive whole number`);
  const proportion = labels['com.openfaas.scale.target-proportion'];
  if (proportion !== undefined && !(Number(proportion) > 0 && Number(proportion) <= 1)) problems.push(`${name}: target-proportion must be in (0, 1]`);
  const min = Number(labels['com.openfaas.scale.min'] ?? 1);
  const max = Number(labels['com.openfaas.scale.max'] ?? 20);
  if (!(min >= 1 && max >= min)) problems.push(`${name}: scale.min ${min} and max ${max} do not make a range`);
  return problems;
}

/** The labels deploy/openfaas-pro.sh adds, function by function: each `faas-cli deploy --filter <name> --label k=v ...`. */
async function proLabels(): Promise<Record<string, Record<string, string>>> {
  const script = (await readFile(join(REPO, 'deploy/openfaas-pro.sh'), 'utf8')).replace(/\\\n/g, ' ');
  const byFunction: Record<string, Record<string, string>> = {};
  for (const line of script.split('\n').filter((text) => /^\s*"\$faas_cli" deploy /.test(text))) {
    const name = /--filter (\S+)/.exec(line)?.[1];
    if (!name) throw new Error(`a deploy without --filter in deploy/openfaas-pro.sh: ${line}`);
    byFunction[name] = Object.fromEntries([...line.matchAll(/--label ([^=\s]+)=(\S+)/g)].map(([, key, value]) => [key!, value!]));
  }
  return byFunction;
}

/** Kubernetes' default, which faas-netes (CE) leaves alone: it sets no terminationGracePeriodSeconds on function pods. */
const POD_GRACE_SECONDS = 30;

describe('the stack files and the rules OpenFaaS enforces', () => {
  let stack: Stack;
  before(async () => {
    stack = await readStack();
  });

  it('refusals are found where they exist (the rules can fail)', () => {
    expect(communityEditionRefusals('crud', 'x', { 'com.openfaas.scale.type': 'rps', 'com.openfaas.scale.max': '6' })).to.have.length(2);
    expect(communityEditionRefusals('Crud', '', {})).to.have.length(2);
    expect(proAutoscalerProblems('crud', { 'com.openfaas.scale.type': 'queue-ish', 'com.openfaas.scale.target': '0' })).to.have.length(2);
  });

  it('stack.yml deploys on the Community Edition: no label or value it refuses, at most 15 functions', () => {
    const functions = Object.entries(stack.functions);
    expect(functions.length).to.be.at.most(15);
    for (const [name, fn] of functions) expect(communityEditionRefusals(name, fn.image, fn.labels ?? {}), name).to.deep.equal([]);
  });

  it("deploy/openfaas-pro.sh deploys every function of stack.yml, with labels Pro's autoscaler reads", async () => {
    const pro = await proLabels();
    expect(Object.keys(pro).sort()).to.deep.equal(Object.keys(stack.functions).sort());
    for (const [name, labels] of Object.entries(pro)) {
      const merged = { ...stack.functions[name]!.labels, ...labels };
      expect(proAutoscalerProblems(name, merged), name).to.deep.equal([]);
    }
    expect(pro.crud, 'what CE refuses is what Pro adds').to.include({ 'com.openfaas.scale.type': 'capacity' });
  });

  it("builds each function's image for its own server: the shared Dockerfile's FUNCTION build arg names it", () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      expect(fn.build_args?.FUNCTION, name).to.equal(name);
      expect(imageEnvironment(fn).fprocess, name).to.equal(`node dist/functions/${name}/server.js`);
      expect(existsSync(join(REPO, 'functions', name, 'server.ts')), `functions/${name}/server.ts`).to.equal(true);
    }
  });

  it("gives each function's server a configuration it starts with, in its image's environment", () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const environment = { ...imageEnvironment(fn), ...stackEnvironment(fn) };
      expect(() => loadConfig({ ...environment, SECRETS_DIR: '/nonexistent' }), name).not.to.throw();
    }
  });

  it('drains within the pod: the watchdog passes requests on for less than the grace period, which ends before Kubernetes kills', () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const config = loadConfig({ ...stackEnvironment(fn), SECRETS_DIR: '/nonexistent' });
      expect(config.drainHoldMs, `${name}: healthcheck_interval set (the watchdog's default is its write_timeout)`).to.be.above(0);
      // what the gateway may still send after SIGTERM: a deleted pod leaves the Endpoints at once, but the
      // gateway and the watchdog in front may hold a request a moment longer
      expect(config.drainHoldMs, `${name}: healthcheck_interval`).to.be.at.least(8_000);
      expect(config.shutdownGraceMs, `${name}: SHUTDOWN_GRACE_SECONDS`).to.be.above(config.drainHoldMs + 5_000);
      expect(config.shutdownGraceMs, `${name}: SHUTDOWN_GRACE_SECONDS`).to.be.below(POD_GRACE_SECONDS * 1000);
    }
  });

  it('lets only the watchdog reach the Node server, and hands the server the lock file the watchdog reads', () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const image = { ...imageEnvironment(fn), ...stackEnvironment(fn) };
      expect(image.HOST, name).to.equal('127.0.0.1');
      expect(image.upstream_url, name).to.equal(`http://127.0.0.1:${image.PORT}`);
      // of-watchdog reads its lock file in os.TempDir(), which is $TMPDIR, and leaves writing it to the server
      expect(image.READY_LOCK_FILE, name).to.equal(`${image.TMPDIR}/.lock`);
      expect(image.suppress_lock, name).to.equal('true');
    }
  });

  it('bounds uploads in crud itself, so that max_inflight never refuses a poll while uploads run', () => {
    const crud = stack.functions.crud!.environment;
    const uploads = Number(crud.MAX_CONCURRENT_UPLOADS);
    expect(uploads).to.be.at.least(1);
    // a poll every few seconds per client, the cron call, listings: far more room than the uploads take
    expect(Number(crud.max_inflight)).to.be.at.least(uploads * 10);
  });

  it('has every hop wait longer than the one behind it: watchdog, provider, gateway', async () => {
    const values = load(await readFile(join(REPO, 'deploy/openfaas-values.yaml'), 'utf8')) as {
      gateway: { upstreamTimeout: string; readTimeout: string; writeTimeout: string };
      faasnetes: { readTimeout: string; writeTimeout: string };
      queueWorker: { ackWait: string };
    };
    const longestWrite = Math.max(...Object.values(stack.functions).map((fn) => durationSeconds(fn.environment.write_timeout!)));
    for (const [name, fn] of Object.entries(stack.functions)) {
      const [read, exec, write] = ['read_timeout', 'exec_timeout', 'write_timeout'].map((key) => durationSeconds(fn.environment[key]!));
      expect(exec, `${name}: exec_timeout covers reading the body`).to.be.at.least(read!);
      expect(write, `${name}: write_timeout outlasts exec_timeout, so the watchdog's own answer goes out`).to.be.above(exec!);
    }
    const provider = Math.min(durationSeconds(values.faasnetes.readTimeout), durationSeconds(values.faasnetes.writeTimeout));
    const upstream = durationSeconds(values.gateway.upstreamTimeout);
    expect(provider).to.be.above(longestWrite);
    expect(upstream).to.be.above(provider);
    for (const timeout of [values.gateway.readTimeout, values.gateway.writeTimeout]) expect(durationSeconds(timeout)).to.be.above(upstream);
    expect(durationSeconds(values.queueWorker.ackWait)).to.be.at.least(upstream);
  });

  it('puts the same timeouts in the README table as in stack.yml and the Helm values', async () => {
    const readme = await readFile(join(REPO, 'deploy/README.md'), 'utf8');
    const start = readme.search(/^## \d+\. Timeouts$/m);
    expect(start, 'a Timeouts section').to.be.at.least(0);
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const values = await readFile(join(REPO, 'deploy/openfaas-values.yaml'), 'utf8');
    for (const [key, value] of [...values.matchAll(/^\s+(upstreamTimeout|readTimeout|writeTimeout|ackWait): (\S+)$/gm)].map((match) => [match[1]!, match[2]!])) {
      expect(table, `${key}: ${value}`).to.include(`\`${key}: ${value}\``);
    }
    const crud = stack.functions.crud!.environment;
    for (const key of ['read_timeout', 'exec_timeout', 'write_timeout', 'healthcheck_interval']) expect(table, key).to.include(`\`${key}: ${crud[key]}\``);
    expect(table).to.include(`\`SHUTDOWN_GRACE_SECONDS: ${crud.SHUTDOWN_GRACE_SECONDS}\``);
  });

  it('builds the images with the of-watchdog version the tests run', () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const image = /^ARG WATCHDOG_IMAGE=\S+:(\S+)$/m.exec(readFileSync(dockerfileOf(fn), 'utf8'))?.[1];
      expect(image, name).to.equal(OPENFAAS_TOOLS['of-watchdog'].version);
    }
  });

  it("lets Prometheus scrape each function's own metrics port, which no gateway route reaches", () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const image = imageEnvironment(fn);
      expect(image.METRICS_PORT, name).to.match(/^\d+$/);
      expect(image.METRICS_PORT, name).not.to.equal(image.PORT);
      expect(fn.annotations, name).to.include({ 'prometheus.io.scrape': 'true', 'prometheus.io.port': image.METRICS_PORT, 'prometheus.io.path': '/metrics' });
    }
  });
});
