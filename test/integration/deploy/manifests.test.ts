import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { load, loadAll } from 'js-yaml';
import which from 'which';
import { REPO, durationSeconds, readStack } from '../../support/openfaas.js';

const run = promisify(execFile);
/** where `npm run manifests:build` (scripts/pretest.sh, and this test) builds it */
const CHECKER = '.cache/manifest-check/manifest-check';
const FIXTURES = 'test/fixtures/manifests';

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the checker from the repository root, so that it names files by the paths it is given. */
async function check(...paths: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(join(REPO, CHECKER), paths, { cwd: REPO });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const exited = error as { code?: unknown; stdout: string; stderr: string };
    if (typeof exited.code !== 'number') throw error;
    return { status: exited.code, stdout: exited.stdout, stderr: exited.stderr };
  }
}

interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: any;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(join(REPO, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name).slice(REPO.length));
}

const documentsOf = async (path: string) => loadAll(await readFile(join(REPO, path), 'utf8')).filter(Boolean) as Manifest[];

const isManifest = (doc: Manifest) => typeof doc.apiVersion === 'string' && typeof doc.kind === 'string';

const manifestNamed = async (path: string, kind: string, name: string) => {
  const found = (await documentsOf(path)).find((doc) => doc.kind === kind && doc.metadata?.name === name);
  if (!found) throw new Error(`${path} has no ${kind} ${name}`);
  return found;
};

const stackFunctions = async () => (await readStack()).functions;

/** The function names a NetworkPolicy peer selects by faas-netes' `faas_function` label. */
function functionsSelected(peer: { podSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] } }): string[] {
  const expression = peer.podSelector?.matchExpressions?.find((each) => each.key === 'faas_function' && each.operator === 'In');
  return [...(expression?.values ?? [])].sort();
}

describe('the manifest check (tools/manifest-check)', function () {
  this.timeout(30_000);

  before(async function () {
    const go = which.sync('go', { nothrow: true });
    if (!go) {
      // CI must check the manifests: there, no Go is a failure, not a reason to skip
      if (process.env.CI) throw new Error('Go is not installed, and CI must run the manifest check (tools/manifest-check)');
      console.warn('      skipped: Go is not installed; it builds the manifest checker (tools/manifest-check)');
      this.skip();
    }
    // a first build compiles the Kubernetes API types (a minute or so; pretest has usually done it); later
    // ones come out of Go's build cache in a fraction of a second, so the checker is always these sources
    this.timeout(600_000);
    await run('npm', ['run', '--silent', 'manifests:build'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  });

  it('passes deploy/, every manifest of which decodes strictly into the Kubernetes types', async () => {
    const { status, stdout, stderr } = await check('deploy');
    expect(status, stderr).to.equal(0);

    let manifests = 0;
    let files = 0;
    for (const file of await yamlFilesUnder('deploy')) {
      const count = (await documentsOf(file)).filter(isManifest).length;
      manifests += count;
      if (count > 0) files++;
    }
    expect(manifests).to.be.above(10);
    expect(stdout).to.contain(`${manifests} manifests in ${files} files decode strictly`);
    expect(stdout).to.match(/^skipped, no document with apiVersion and kind: .*deploy\/openfaas-values\.yaml/m);
    expect(stdout).to.contain('deploy/prometheus/alerts.yml');
  });

  it('names the file, the line, the document and the field path of a misspelled field', async () => {
    const { status, stdout, stderr } = await check(`${FIXTURES}/misspelled-field.yaml`);
    expect(status).to.equal(1);
    expect(stdout).to.equal('');
    expect(stderr).to.contain(
      `${FIXTURES}/misspelled-field.yaml:12: document 2 (StatefulSet mongodb): unknown field "spec.template.spec.terminationGracePeriodSecond"`,
    );
  });

  it('refuses values of the wrong type, a string that YAML read as a mapping included', async () => {
    const { status, stderr } = await check(`${FIXTURES}/wrong-type.yaml`);
    expect(status).to.equal(1);
    expect(stderr).to.match(/wrong-type\.yaml:3: document 1 \(Deployment replicas-in-words\): .*cannot unmarshal string .*spec\.replicas of type int32/);
    expect(stderr).to.match(/wrong-type\.yaml:19: document 2 \(Pod unquoted-colon\): .*cannot unmarshal object .*exec\.command of type string/);
  });

  it('refuses a kind Kubernetes does not have, a custom resource included', async () => {
    const { status, stderr } = await check(`${FIXTURES}/unknown-kind.yaml`);
    expect(status).to.equal(1);
    expect(stderr).to.contain(`${FIXTURES}/unknown-kind.yaml:2: document 1 (Deploymnet typo): unknown kind "Deploymnet" in apiVersion "apps/v1"`);
    expect(stderr).to.contain(`${FIXTURES}/unknown-kind.yaml:7: document 2 (Certificate mongodb-tls): unknown kind "Certificate" in apiVersion "cert-manager.io/v1"`);
  });

  it('refuses a field given twice, naming its line in the file', async () => {
    const { status, stderr } = await check(`${FIXTURES}/duplicate-field.yaml`);
    expect(status).to.equal(1);
    expect(stderr).to.match(/duplicate-field\.yaml:2: document 1 \(Pod two-images\): .*line 10: key "image" already set/);
  });

  it('refuses a manifest whose apiVersion is misspelled, rather than skipping it as no manifest', async () => {
    const { status, stderr } = await check(`${FIXTURES}/misspelled-apiversion.yaml`);
    expect(status).to.equal(1);
    expect(stderr).to.contain(`${FIXTURES}/misspelled-apiversion.yaml:2: document 1: this looks like a manifest but lacks apiVersion or kind`);
  });

  it('reports every problem of every file in a folder before failing', async () => {
    const { status, stderr } = await check(FIXTURES);
    expect(status).to.equal(1);
    const problems = stderr.split('\n').filter((line) => line.startsWith(`${FIXTURES}/`));
    expect(problems).to.have.length(7);
    expect(new Set(problems.map((line) => line.split(':')[0]))).to.have.property('size', 5);
    expect(stderr).to.contain('manifest-check: 7 problem(s)');
  });

  it('skips what is not a manifest (Helm values, stack.yml) and says so', async () => {
    const { status, stdout, stderr } = await check(`${FIXTURES}/not-a-manifest.yaml`, 'stack.yml');
    expect(status, stderr).to.equal(0);
    expect(stdout).to.contain('0 manifests in 0 files');
    expect(stdout).to.contain(`skipped, no document with apiVersion and kind: ${FIXTURES}/not-a-manifest.yaml, stack.yml`);
  });

  it('fails on a path that is not there rather than passing on nothing', async () => {
    const { status, stderr } = await check('deploy/no-such-folder');
    expect(status).to.equal(2);
    expect(stderr).to.contain('deploy/no-such-folder');
  });
});

describe('the Kubernetes manifests, against stack.yml', () => {
  it('let into the database exactly the functions that stack.yml gives the mongodb-uri secret', async () => {
    const policy = await manifestNamed('deploy/mongodb/network-policy.yaml', 'NetworkPolicy', 'mongodb');
    const peers = policy.spec.ingress.flatMap((rule: { from: object[] }) => rule.from);
    const fromFunctions = peers.filter((peer: any) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'openfaas-fn');
    expect(fromFunctions).to.have.length(1);
    const withTheDatabase = Object.entries(await stackFunctions())
      .filter(([, fn]) => fn.secrets?.includes('mongodb-uri'))
      .map(([name]) => name)
      .sort();
    expect(functionsSelected(fromFunctions[0])).to.deep.equal(withTheDatabase);
  });

  it('let Prometheus reach the metrics port of every function stack.yml has scraped', async () => {
    const policy = await manifestNamed('deploy/kubernetes/openfaas-fn-network-policy.yaml', 'NetworkPolicy', 'segue-metrics-from-prometheus');
    const scraped = Object.entries(await stackFunctions()).filter(([, fn]) => fn.annotations?.['prometheus.io.scrape'] === 'true');
    expect(functionsSelected(policy.spec)).to.deep.equal(scraped.map(([name]) => name).sort());
    const ports = policy.spec.ingress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((each) => String(each.port)));
    expect(new Set(scraped.map(([, fn]) => fn.annotations!['prometheus.io.port']))).to.deep.equal(new Set(ports));
  });

  it("give the gateway's Ingress no body limit, no request buffering, and timeouts past the gateway's own", async () => {
    const annotations = (await manifestNamed('deploy/kubernetes/gateway-ingress.yaml', 'Ingress', 'gateway')).metadata!.annotations!;
    expect(annotations['nginx.ingress.kubernetes.io/proxy-body-size']).to.equal('0');
    expect(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering']).to.equal('off');
    const { gateway } = load(await readFile(join(REPO, 'deploy/openfaas-values.yaml'), 'utf8')) as { gateway: { readTimeout: string; writeTimeout: string } };
    const behind = Math.max(durationSeconds(gateway.readTimeout), durationSeconds(gateway.writeTimeout));
    const longestCall = Math.max(...Object.values(await stackFunctions()).map((fn) => durationSeconds(fn.environment?.exec_timeout ?? 0)));
    expect(behind).to.be.above(longestCall);
    for (const timeout of ['proxy-read-timeout', 'proxy-send-timeout']) {
      expect(Number(annotations[`nginx.ingress.kubernetes.io/${timeout}`]), timeout).to.be.above(behind);
    }
  });
});
