import { createServer, Server } from "node:http";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * A Terraform module registry (protocol `modules.v1`) on 127.0.0.1, for tests: archives live in
 * `<storage>/<namespace>/<name>/<system>/<version>.tar.gz`, so publishing is copying a release archive there.
 * Terraform asks: GET versions, GET download (204 + X-Terraform-Get), HEAD and GET the archive.
 */
export class ModuleRegistry {
  /** Requests seen, as `METHOD path`, for assertions. */
  readonly requests: string[] = [];
  private server?: Server;

  constructor(readonly storage: string) {}

  /** Starts listening on a free loopback port; returns the base URL of the modules.v1 API. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
      this.requests.push(`${req.method} ${path}`);
      const versions = /^\/v1\/modules\/([\w-]+)\/([\w-]+)\/([\w-]+)\/versions$/.exec(path);
      const download = /^\/v1\/modules\/([\w-]+)\/([\w-]+)\/([\w-]+)\/(\d+\.\d+\.\d+)\/download$/.exec(path);
      const archive = /^\/archives\/([\w-]+)\/([\w-]+)\/([\w-]+)\/(\d+\.\d+\.\d+)\.tar\.gz$/.exec(path);
      if (versions !== null) {
        const dir = join(this.storage, versions[1], versions[2], versions[3]);
        if (!existsSync(dir)) return void res.writeHead(404).end();
        const list = readdirSync(dir)
          .filter((f) => f.endsWith(".tar.gz"))
          .map((f) => ({ version: f.replace(/\.tar\.gz$/, "") }));
        res
          .writeHead(200, { "Content-Type": "application/json" })
          .end(JSON.stringify({ modules: [{ versions: list }] }));
      } else if (download !== null) {
        const [, ns, name, system, version] = download;
        if (!existsSync(join(this.storage, ns, name, system, `${version}.tar.gz`)))
          return void res.writeHead(404).end();
        // A relative URL: Terraform resolves it against the download URL's host.
        res.writeHead(204, { "X-Terraform-Get": `/archives/${ns}/${name}/${system}/${version}.tar.gz` }).end();
      } else if (archive !== null) {
        const file = join(this.storage, archive[1], archive[2], archive[3], `${archive[4]}.tar.gz`);
        if (!existsSync(file)) return void res.writeHead(404).end();
        const bytes = readFileSync(file);
        res.writeHead(200, { "Content-Type": "application/gzip", "Content-Length": bytes.length });
        res.end(req.method === "HEAD" ? undefined : bytes);
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/modules/`;
  }

  /** Publishes a release archive (a tar.gz with the module at its root) as `namespace/name/system` at `version`. */
  publishArchive(archive: string, namespace: string, name: string, system: string, version: string): string {
    const dir = join(this.storage, namespace, name, system);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${version}.tar.gz`);
    copyFileSync(archive, file);
    return file;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }
}

/** CLI config for a registry at `modulesUrl` under the name `host`: the `host` block replaces service discovery. */
export function registryCliConfig(host: string, modulesUrl: string, pluginMirror: string): string {
  return `disable_checkpoint = true
host ${JSON.stringify(host)} {
  services = {
    "modules.v1" = ${JSON.stringify(modulesUrl)}
  }
}
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(pluginMirror)}
    include = ["registry.terraform.io/*/*"]
  }
}
`;
}
