import { gunzipSync } from "node:zlib";
import { moduleArchive } from "../modules/tools/terraform-module/archive";

/** The entries of a ustar archive: path (prefix/name), type flag and contents, read as POSIX defines the header. */
function entries(archive: Buffer): Array<{ path: string; type: string; text: string }> {
  const tar = gunzipSync(archive);
  const out: Array<{ path: string; type: string; text: string }> = [];
  const field = (block: Buffer, at: number, length: number) =>
    block.toString("utf8", at, at + length).replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= tar.length;) {
    const block = tar.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    const checksum = block.reduce((sum, b, i) => sum + (i >= 148 && i < 156 ? 32 : b), 0);
    expect(parseInt(field(block, 148, 8), 8)).toBe(checksum);
    expect(field(block, 257, 6)).toBe("ustar");
    const size = parseInt(field(block, 124, 12), 8);
    const prefix = field(block, 345, 155);
    const name = field(block, 0, 100);
    out.push({
      path: prefix === "" ? name : `${prefix}/${name}`,
      type: field(block, 156, 1),
      text: tar.toString("utf8", at + 512, at + 512 + size),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe("a module's release archive", () => {
  const long = `modules/${"deep/".repeat(25)}main.tf`;
  const files = { "main.tf": 'resource "x" "y" {}\n', "examples/basic/main.tf": "é".repeat(700), [long]: "" };

  it("holds every file at its path from the module's root, with its folders first", () => {
    const listed = entries(moduleArchive(files));
    const folders = listed.filter((e) => e.type === "5").map((e) => e.path);
    expect(folders).toEqual(expect.arrayContaining(["examples/", "examples/basic/", "modules/"]));
    expect(listed.findIndex((e) => e.type === "0")).toBe(folders.length);
    const regular = Object.fromEntries(listed.filter((e) => e.type === "0").map((e) => [e.path, e.text]));
    expect(regular).toEqual(files);
  });

  it("is the same bytes for the same files, whatever their order", () => {
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    expect(moduleArchive(reversed).equals(moduleArchive(files))).toBe(true);
  });

  it("refuses a path no ustar header can hold", () => {
    expect(() => moduleArchive({ [`${"x".repeat(120)}.tf`]: "" })).toThrow("path too long for a tar archive");
  });
});
