import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { loadAll } from 'js-yaml';
import type { OpenfaasTool } from '../../../functions/local/openfaas-tools.js';
import {
  REPO,
  type Stack,
  dockerInstructions,
  dockerfileOf,
  durationSeconds,
  openfaasToolsOrSkip,
  readStack,
  run,
} from '../../support/openfaas.js';

interface GeneratedFunction {
  kind: string;
  metadata: { name: string };
  spec: {
    image: string;
    environment: Record<string, string>;
    secrets?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    limits?: { memory: string; cpu: string };
    requests?: { memory: string; cpu: string };
    readOnlyRootFilesystem?: boolean;
  };
}

/** What a fresh clone holds once this work tree is committed: tracked files and new ones git does not ignore. */
async function copyOfTheRepository(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'segue-stack-'));
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter((path) => path && existsSync(join(REPO, path)))) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await copyFile(join(REPO, file), join(copy, file));
  }
  return copy;
}

describe('stack.yml with faas-cli', function () {
  this.timeout(120_000);
  let tools: Record<OpenfaasTool, string>;
  let stack: Stack;

  before(async function () {
    tools = await openfaasToolsOrSkip(this);
    stack = await readStack();
  });

  describe('faas-cli generate', () => {
    const generate = async (env: Record<string, string> = {}) => {
      const { stdout } = await run(tools['faas-cli'], ['generate', '-f', 'stack.yml'], { cwd: REPO, env: { PATH: process.env.PATH, HOME: tmpdir(), ...env } });
      return loadAll(stdout).filter(Boolean) as GeneratedFunction[];
    };

    it('yields a Function for crud, stream and web', async () => {
      const generated = await generate();
      expect(generated.map((item) => item.kind)).to.deep.equal(['Function', 'Function', 'Function']);
      expect(generated.map((item) => item.metadata.name).sort()).to.deep.equal(['crud', 'stream', 'web']);
    });

    it('names images after REGISTRY and TAG, with the package version as the default tag', async () => {
      const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
      const byDefault = await generate();
      expect(byDefault.find((item) => item.metadata.name === 'crud')!.spec.image).to.equal(`segue/segue-crud:${version}`);
      const chosen = await generate({ REGISTRY: 'registry.example:5000/music', TAG: '2.0.1' });
      expect(chosen.map((item) => item.spec.image).sort()).to.deep.equal(
        ['crud', 'stream', 'web'].map((name) => `registry.example:5000/music/segue-${name}:2.0.1`),
      );
    });

    it('gives crud and stream the database secret, and only crud the API keys and the cron schedule', async () => {
      const byName = Object.fromEntries((await generate()).map((item) => [item.metadata.name, item.spec]));
      expect(byName.crud!.secrets).to.have.members(['mongodb-uri', 'mongodb-ca', 'api-keys']);
      expect(byName.stream!.secrets).to.have.members(['mongodb-uri', 'mongodb-ca']);
      expect(byName.web!.secrets ?? []).to.deep.equal([]);
      expect(byName.crud!.annotations).to.include({ topic: 'cron-function', schedule: '*/1 * * * *' });
      expect(byName.crud!.environment.SWEEP_INTERVAL_SECONDS, 'the cron-connector sweeps instead of every replica').to.equal('0');
    });

    it('runs every function read-only, with limits, requests and scaling bounds', async () => {
      for (const { metadata, spec } of await generate()) {
        expect(spec.readOnlyRootFilesystem, metadata.name).to.equal(true);
        expect(spec.limits?.memory, metadata.name).to.match(/^\d+[MG]i$/);
        expect(spec.requests?.memory, metadata.name).to.match(/^\d+[MG]i$/);
        const min = Number(spec.labels?.['com.openfaas.scale.min']);
        const max = Number(spec.labels?.['com.openfaas.scale.max']);
        expect(min, metadata.name).to.be.at.least(1);
        expect(max, metadata.name).to.be.at.least(min);
      }
    });

    it('sets watchdog timeouts that fit together: reading the body and the whole call within write and exec', async () => {
      for (const { metadata, spec } of await generate()) {
        const [read, write, exec] = ['read_timeout', 'write_timeout', 'exec_timeout'].map((name) => durationSeconds(spec.environment[name]!));
        expect(read, `${metadata.name} read_timeout`).to.be.above(0);
        expect(write, `${metadata.name} write_timeout`).to.be.at.least(read!);
        expect(exec, `${metadata.name} exec_timeout`).to.be.at.most(write!);
        expect(Number(spec.environment.max_inflight), `${metadata.name} max_inflight`).to.be.above(0);
      }
    });

    it('gives crud time to read a largest upload at 1.5 MB/s', async () => {
      const crud = (await generate()).find((item) => item.metadata.name === 'crud')!.spec.environment;
      const maxUploadBytes = Number(crud.MAX_UPLOAD_BYTES ?? 2 * 1024 ** 3);
      expect(durationSeconds(crud.read_timeout!)).to.be.at.least(maxUploadBytes / 1_500_000);
    });
  });

  describe('faas-cli build --shrinkwrap', () => {
    let copy: string;
    before(async () => {
      copy = await copyOfTheRepository();
      await run(tools['faas-cli'], ['build', '--shrinkwrap', '-f', 'stack.yml'], { cwd: copy, env: { PATH: process.env.PATH, HOME: copy } });
    });
    after(() => rm(copy, { recursive: true, force: true }));

    it("prepares every function's build context with its Dockerfile and the shared code", () => {
      for (const [name, fn] of Object.entries(stack.functions)) {
        const context = join(copy, 'build', name);
        expect(readFileSync(join(context, 'Dockerfile'), 'utf8'), name).to.equal(readFileSync(dockerfileOf(fn), 'utf8'));
        for (const path of stack.configuration.copy) expect(existsSync(join(context, path)), `${name}: ${path}`).to.equal(true);
        expect(existsSync(join(context, 'functions', name, 'server.ts')), `${name}: its server entry`).to.equal(true);
      }
    });

    it('holds everything each Dockerfile copies from its context', () => {
      for (const name of Object.keys(stack.functions)) {
        const context = join(copy, 'build', name);
        const copies = dockerInstructions(readFileSync(join(context, 'Dockerfile'), 'utf8')).filter((line) => /^COPY\s/i.test(line) && !/--from=/.test(line));
        expect(copies, name).to.have.length.above(2);
        for (const line of copies) {
          for (const source of line.split(/\s+/).slice(1, -1)) expect(existsSync(join(context, source)), `${name}: ${line}`).to.equal(true);
        }
      }
    });
  });
});
