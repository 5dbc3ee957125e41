import { gzipSync } from "node:zlib";
import { ModuleFiles } from "./build";

/**
 * A module's files as a release archive: a gzipped POSIX tar (ustar) with the module at its root, which is what a
 * Terraform module registry serves (`X-Terraform-Get`) and what `terraform init` unpacks. Pure and reproducible: entries
 * sorted, folders listed before their files, owner 0 and a fixed time, so the same files give the same bytes.
 */
export function moduleArchive(files: ModuleFiles): Buffer {
  const paths = Object.keys(files).sort();
  const folders = [
    ...new Set(
      paths.flatMap((p) =>
        p
          .split("/")
          .slice(0, -1)
          .map((_, i, a) => a.slice(0, i + 1).join("/")),
      ),
    ),
  ];
  const entries = [
    ...folders.sort().map((folder) => header(`${folder}/`, 0, "5", 0o755)),
    ...paths.flatMap((path) => {
      const body = Buffer.from(files[path], "utf8");
      return [header(path, body.length, "0", 0o644), body, Buffer.alloc((512 - (body.length % 512)) % 512)];
    }),
  ];
  // Folders first (a reader may create them before their files), then the end-of-archive marker: two empty blocks.
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]), { level: 9 });
}

/** The fixed modification time of every entry: 2000-01-01T00:00:00Z (a zero time reads as "1970" and looks broken). */
const MTIME = Date.UTC(2000, 0, 1) / 1000;

function header(path: string, size: number, type: "0" | "5", mode: number): Buffer {
  const block = Buffer.alloc(512);
  // ustar keeps up to 100 bytes in `name` and a further 155 (up to a "/") in `prefix`.
  const split = Buffer.byteLength(path) <= 100 ? -1 : path.lastIndexOf("/", path.length - 2);
  const name = split < 0 ? path : path.slice(split + 1);
  const prefix = split < 0 ? "" : path.slice(0, split);
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155)
    throw new Error(`path too long for a tar archive: ${path}`);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\0`;
  const fields: Array<[number, string]> = [
    [0, name],
    [100, octal(mode, 8)],
    [108, octal(0, 8)],
    [116, octal(0, 8)],
    [124, octal(size, 12)],
    [136, octal(MTIME, 12)],
    [148, "        "],
    [156, type],
    [257, "ustar\0"],
    [263, "00"],
    [265, "root"],
    [297, "root"],
    [345, prefix],
  ];
  for (const [offset, text] of fields) block.write(text, offset, "utf8");
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, "utf8");
  return block;
}
