import { createReadStream, existsSync } from "node:fs";
import { createServer, Server } from "node:http";
import { join } from "node:path";
import { LockEntry } from "./consumer";

/** A registry document (packument) per package name: every version the lock file holds, with its dependencies. */
export type Packuments = Record<
  string,
  { name: string; "dist-tags": { latest: string }; versions: Record<string, object> }
>;

const LOCK_ONLY = new Set([
  "resolved",
  "integrity",
  "dev",
  "optional",
  "devOptional",
  "peer",
  "link",
  "inBundle",
  "extraneous",
]);

/**
 * The registry documents a lock file implies: for each package at `node_modules/.../<name>` (or the package an alias
 * there stands for), its version's manifest
 * (the fields the lock keeps: dependencies, peers, os/cpu, bin, engines) with its tarball at `baseUrl` and the lock's
 * integrity. With these, npm resolves the lock's packages as it would from the public registry.
 */
export function packumentsFromLock(packages: Record<string, LockEntry>, baseUrl: string): Packuments {
  const out: Packuments = {};
  for (const [location, entry] of Object.entries(packages)) {
    const cut = location.lastIndexOf("node_modules/");
    if (cut < 0 || entry.version === undefined || entry.integrity === undefined) continue;
    // An alias (`"x-v2": "npm:x@2"`) is installed under its own folder; the lock names the real package.
    const name = typeof entry.name === "string" ? entry.name : location.slice(cut + "node_modules/".length);
    const manifest = Object.fromEntries(Object.entries(entry).filter(([field]) => !LOCK_ONLY.has(field)));
    const file = `${name.split("/").pop()}-${entry.version}.tgz`;
    const doc = (out[name] ??= { name, "dist-tags": { latest: entry.version }, versions: {} });
    doc.versions[entry.version] = {
      ...manifest,
      name,
      version: entry.version,
      dist: { tarball: `${baseUrl}${name}/-/${file}`, integrity: entry.integrity },
    };
    const newest = Object.keys(doc.versions)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .pop() as string;
    doc["dist-tags"].latest = newest;
  }
  return out;
}

/** Where the npm cache keeps the content with this integrity (cacache's content-addressed layout). */
export function cachedContentPath(cache: string, integrity: string): string {
  const [algorithm, digest] = integrity.split("-", 2);
  const hex = Buffer.from(digest, "base64").toString("hex");
  return join(cache, "_cacache", "content-v2", algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/**
 * A read-only registry on 127.0.0.1:`port` standing in for the public one: the documents of `packumentsFromLock`,
 * and tarballs out of the npm cache `cache`. Anything else is a 404.
 */
export function serveLockMirror(packages: Record<string, LockEntry>, cache: string, port: number): Server {
  const docs = packumentsFromLock(packages, `http://127.0.0.1:${port}/`);
  return createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? "/").split("?")[0]).slice(1);
    const tarball = /^(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    const integrity =
      tarball === null
        ? undefined
        : (docs[tarball[1]]?.versions[tarball[2]] as { dist?: { integrity?: string } } | undefined)?.dist?.integrity;
    if (integrity !== undefined && existsSync(cachedContentPath(cache, integrity))) {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      createReadStream(cachedContentPath(cache, integrity)).pipe(response);
    } else if (docs[path] !== undefined) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(docs[path]));
    } else {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `not in this mirror: ${path}` }));
    }
  }).listen(port, "127.0.0.1");
}
